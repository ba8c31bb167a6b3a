/**
 * Bounds on what the bridge echoes back: a value someone sent (an MQTT payload, a device name,
 * a form field) appears in responses, log lines and the status page only this long.
 */

/** Characters of one echoed text kept by default. */
export const ECHO_MAX_CHARS = 200;
/** Keys of an echoed object kept; the rest is summarised. */
const ECHO_MAX_KEYS = 16;
const KEY_MAX_CHARS = 64;

/** `text` cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max = ECHO_MAX_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * A copy of what a sender asked for that is safe to echo: at most 16 keys, each value whose
 * JSON is longer than `max` replaced by that JSON truncated. Small values pass unchanged.
 */
export function truncateValues(
  values: Record<string, unknown>,
  max = ECHO_MAX_CHARS,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(values);
  for (const key of keys.slice(0, ECHO_MAX_KEYS)) {
    const value = values[key];
    const json = JSON.stringify(value) ?? String(value);
    out[truncate(key, KEY_MAX_CHARS)] = json.length > max ? truncate(json, max) : value;
  }
  if (keys.length > ECHO_MAX_KEYS) out['…'] = `${keys.length - ECHO_MAX_KEYS} more keys left out`;
  return out;
}
