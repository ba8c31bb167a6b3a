/**
 * Secrets in the configuration: registered with the redactor the moment they are read, and
 * replaced in the copy of the config that bridge/info and the status page show.
 */
import { isSecretKey, REDACTED, redact, registerSecret } from '../util/redact.js';
import { itemPath, keyByPath } from './keys.js';
import { isPlainObject } from './merge.js';
import type { BridgeConfig } from './types.js';

const PEM = /-----BEGIN/;

/** Loose on purpose: a misspelt secret (`pasword`, `mqtt_passwd`) must still be protected. */
export const SECRET_LIKE_NAME = /pas+w|pwd|secret|token/i;

function isSecretPath(path: string, key: string): boolean {
  const known = keyByPath.get(itemPath(path));
  return known ? known.secret : isSecretKey(key) || SECRET_LIKE_NAME.test(key);
}

const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)([^/@\s]+)@/i;

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Registers every secret-looking value in a raw (possibly invalid) config tree: secret keys by
 * schema or by name (so a typo such as `pasword` is still protected), URL passwords, PEM text.
 */
export function registerConfigSecrets(values: unknown, prefix = ''): void {
  if (!isPlainObject(values)) return;
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      value.forEach((entry, index) => {
        registerConfigSecrets(entry, `${path}[${index}]`);
      });
    } else if (isPlainObject(value)) {
      registerConfigSecrets(value, path);
    } else if (typeof value === 'string') {
      if (isSecretPath(path, key) || PEM.test(value)) registerSecret(value);
      const password = URL_PASSWORD.exec(value)?.[2];
      if (password) {
        // Registered as written and decoded: either form may end up in a log line.
        registerSecret(password);
        registerSecret(decodeURIComponentSafe(password));
      }
    }
  }
}

/** The URL with the password of its user part (if any) replaced. */
export function redactUrl(value: string): string {
  return value.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/**
 * A deep copy of the config with every secret replaced by [REDACTED]: client_secret,
 * refresh_token (also each account's), mqtt.password, coordination.redis_password, passwords inside URLs, PEM contents, and any value registered
 * as a secret. Unset secrets stay unset so a status page can say "not set".
 */
export function redactedConfig(config: BridgeConfig): BridgeConfig {
  const scrub = (node: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (Array.isArray(value))
        out[key] = value.map((entry, index) =>
          isPlainObject(entry) ? scrub(entry, `${path}[${index}]`) : entry,
        );
      else if (isPlainObject(value)) out[key] = scrub(value, path);
      else if (typeof value !== 'string') out[key] = value;
      else if (isSecretPath(path, key) || PEM.test(value)) out[key] = REDACTED;
      else out[key] = redactUrl(value);
    }
    return out;
  };
  // redact() is the second net: values registered as secrets anywhere else (tokens in use).
  return redact(scrub({ ...config }, '')) as unknown as BridgeConfig;
}
