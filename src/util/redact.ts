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

/**
 * Secrets registered for the life of the process (configuration, the Supervisor's token):
 * few, known at start. Bounded all the same; the oldest is forgotten first.
 */
const MAX_SECRETS = 256;
const knownSecrets = new Set<string>();
/**
 * Values that are secret only while they are current (the token pair in use, an authorization
 * code being exchanged): each slot holds the newest values, so a rotated-out token stops being
 * searched for and the set cannot grow with every rotation.
 */
const slots = new Map<string, readonly string[]>();

const MIN_SECRET_LENGTH = 6;

/** Registers a value that must never appear anywhere in output. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  knownSecrets.delete(value);
  knownSecrets.add(value);
  while (knownSecrets.size > MAX_SECRETS) {
    const oldest = knownSecrets.values().next().value;
    if (oldest === undefined) break;
    knownSecrets.delete(oldest);
  }
}

/**
 * Makes `values` the secrets of `slot`, replacing what it held: call it only with values Netatmo
 * accepted (a pasted string it refused is nobody's secret, and would only blank out harmless
 * text such as the base topic).
 */
export function setSecretSlot(slot: string, values: ReadonlyArray<string | undefined>): void {
  slots.set(
    slot,
    values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH),
  );
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
  slots.clear();
}

/** How many values are searched for (the set stays bounded). */
export function registeredSecretCount(): number {
  let count = knownSecrets.size;
  for (const values of slots.values()) count += values.length;
  return count;
}

function replaceAll(text: string, secret: string): string {
  return text.includes(secret) ? text.split(secret).join(REDACTED) : text;
}

export function redactString(text: string): string {
  let out = text.replace(BEARER, `Bearer ${REDACTED}`).replace(NETATMO_TOKEN, REDACTED);
  out = out.replace(FORM_SECRET, (_m, key: string) => `${key}=${REDACTED}`);
  out = out.replace(QUERY_CODE, (_m, sep: string) => `${sep}code=${REDACTED}`);
  for (const secret of knownSecrets) out = replaceAll(out, secret);
  for (const values of slots.values()) for (const secret of values) out = replaceAll(out, secret);
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
