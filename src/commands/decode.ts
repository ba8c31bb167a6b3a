/**
 * The one reading of a `/set` payload (the MQTT layer hands over the raw text):
 * - `<base>/<device>/set/<attr>`: the raw value of that attribute; JSON when it parses (`21.5` is
 *   a number, `"heat"` a string), the text itself otherwise (`heat`).
 * - `<base>/<device>/set`: a JSON object of attribute → value; a JSON string or a bare word
 *   (`ON`, `OPEN`, as zigbee2mqtt accepts) means `{"state": word}`. Anything else is refused.
 * `transaction` is taken out of the values; values nested deeper than 8 levels are refused
 * (20 000 levels would overflow the stack when echoed back).
 */
import type { IncomingOf } from '../mqtt/incoming.js';
import type { Transaction } from '../mqtt/topics.js';
import { truncate } from '../util/truncate.js';
import type { RejectionCode } from './types.js';

export type SetMessage = Pick<IncomingOf<'device_set'>, 'device' | 'attribute' | 'raw'>;

export type Decoded =
  | { ok: true; values: Record<string, unknown>; transaction?: Transaction }
  | { ok: false; code: RejectionCode; error: string };

const MAX_VALUE_DEPTH = 8;

/** Breadth-first, so a hostile depth costs a loop, not the stack. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > max) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (typeof item === 'object' && item !== null)
        for (const inner of Object.values(item)) next.push(inner);
    }
    level = next;
  }
  return false;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function decodeSet(message: SetMessage): Decoded {
  let values: Record<string, unknown>;
  if (message.attribute !== undefined) {
    const parsed = parseJson(message.raw);
    values = { [message.attribute]: parsed.ok ? parsed.value : message.raw };
  } else {
    const raw = message.raw.trim();
    if (raw === '')
      return {
        ok: false,
        code: 'empty_command',
        error: 'empty payload: send a JSON object such as {"state":"ON"}',
      };
    const parsed = parseJson(raw);
    if (!parsed.ok) {
      // zigbee2mqtt accepts a bare word (`ON`, `OPEN`) on /set as {"state": word}.
      if (/^[A-Za-z_]+$/.test(raw)) return { ok: true, values: { state: raw } };
      return {
        ok: false,
        code: 'malformed_json',
        error: `malformed JSON on ${truncate(message.device, 80)}/set: ${truncate(raw, 80)}`,
      };
    }
    if (typeof parsed.value === 'string') values = { state: parsed.value };
    else if (typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value))
      values = { ...(parsed.value as Record<string, unknown>) };
    else
      return {
        ok: false,
        code: 'malformed_json',
        error: `${truncate(message.device, 80)}/set expects a JSON object, got ${truncate(raw, 80)}`,
      };
  }
  if (nestedDeeperThan(values, MAX_VALUE_DEPTH))
    return {
      ok: false,
      code: 'invalid_value',
      error: `${truncate(message.device, 80)}/set: values nested deeper than ${MAX_VALUE_DEPTH} levels`,
    };
  const transaction = values.transaction;
  delete values.transaction;
  return {
    ok: true,
    values,
    ...(typeof transaction === 'string' || typeof transaction === 'number' ? { transaction } : {}),
  };
}
