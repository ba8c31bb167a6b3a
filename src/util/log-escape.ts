/**
 * Log injection: text that reaches a log line from outside (MQTT payloads, Netatmo names, form
 * fields) must stay on its line. Newlines, other control characters (ANSI escapes included)
 * and Unicode line separators are written as visible escapes, so a payload cannot forge a line
 * such as `error [auth]: …` or recolour a terminal.
 */

// C0 controls except tab, DEL, C1 controls, and U+2028/U+2029.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

export function escapeLogText(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
