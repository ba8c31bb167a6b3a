/**
 * Secret redaction shared by the logger, bridge/info, error messages and web pages.
 *
 * Two nets: by key name (anything that looks like a credential field) and by value
 * (Bearer headers, Netatmo-shaped tokens, and every secret value registered at run time,
 * e.g. the current token pair and the configured client secret).
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /^(access_?token|refresh_?token|client_?secret|authorization|password|secret|token|supervisor_?token)$/i;
const BEARER = /Bearer\s+[\w.~+/|-]+=*/gi;
const NETATMO_TOKEN = /\b[0-9a-f]{24}\|[0-9a-f]{32}\b/gi;
// Tokens appear in form bodies and URLs too: refresh_token=...&client_secret=...
const FORM_SECRET = /\b(access_token|refresh_token|client_secret|password)=([^&\s"']+)/gi;
// An OAuth authorization code travels as a query parameter.
const QUERY_CODE = /([?&])code=([^&\s"']+)/g;

const knownSecrets = new Set<string>();

/** Registers a value that must never appear anywhere in output. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 6) knownSecrets.add(value);
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
}

export function redactString(text: string): string {
  let out = text.replace(BEARER, `Bearer ${REDACTED}`).replace(NETATMO_TOKEN, REDACTED);
  out = out.replace(FORM_SECRET, (_m, key: string) => `${key}=${REDACTED}`);
  out = out.replace(QUERY_CODE, (_m, sep: string) => `${sep}code=${REDACTED}`);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Returns a redacted deep copy; never mutates its input (winston hands formats the
 * caller's own objects). Cycles and very deep values are cut rather than followed.
 */
export function redact<T>(value: T): T {
  return scrub(value, 0, new WeakSet()) as T;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const copy: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    if (value.stack) copy.stack = redactString(value.stack);
    for (const [k, v] of Object.entries(value))
      copy[k] = isSecretKey(k) ? REDACTED : scrub(v, depth + 1, seen);
    return copy;
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : scrub(v, depth + 1, seen);
  }
  return out;
}
