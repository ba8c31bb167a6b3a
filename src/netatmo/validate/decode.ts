/**
 * A tiny decoder kit for Netatmo bodies: each decoder checks one value and returns a fresh copy,
 * so a caller gets either a fully checked object or an error, never a half-validated one.
 *
 * Hand-written rather than Ajv because the bodies need normalising while they are checked
 * (stray spaces in ids), because every problem must name a readable
 * JSON path, and because copying key by key is where `__proto__` and friends are stopped.
 */
import { BridgeError } from '../../errors.js';

/** The first problem found, with its JSON path (`body.homes[0].modules[3].id`). */
export class DecodeError extends BridgeError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

export type Decoder<T> = (value: unknown, path: string) => T;

/** Arrays longer than this are refused: no real account has 10 000 modules or homes. */
export const MAX_ARRAY_LENGTH = 10_000;
const MAX_DEPTH = 32;
const MAX_STRING_LENGTH = 64 * 1024;
/** Keys that would reach or shadow an object's prototype when copied. */
const HOSTILE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function fail(path: string, problem: string): never {
  throw new DecodeError(path, problem);
}

export function child(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const str: Decoder<string> = (value, path) => {
  if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
  if (value.length > MAX_STRING_LENGTH) fail(path, `string longer than ${MAX_STRING_LENGTH} characters`);
  return value;
};

/** A non-empty identifier. */
export const id: Decoder<string> = (value, path) => {
  const text = str(value, path);
  if (text.trim().length === 0) fail(path, 'expected a non-empty id');
  if (text.length > 256) fail(path, 'id longer than 256 characters');
  return text;
};

/** The legacy stations model sometimes puts spaces inside MAC-style ids ("12 :34: 56:36:fd:3c"). */
export const spacedId: Decoder<string> = (value, path) => id(value, path).replace(/\s+/g, '');

export const num: Decoder<number> = (value, path) => {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(path, `expected a number, got ${describe(value)}`);
  return value;
};

export const int: Decoder<number> = (value, path) => {
  const n = num(value, path);
  if (!Number.isInteger(n)) fail(path, `expected an integer, got ${n}`);
  return n;
};

export const bool: Decoder<boolean> = (value, path) => {
  if (typeof value !== 'boolean') fail(path, `expected true or false, got ${describe(value)}`);
  return value;
};

export function nullable<T>(decode: Decoder<T>): Decoder<T | null> {
  return (value, path) => (value === null ? null : decode(value, path));
}

export function arrayOf<T>(decode: Decoder<T>, max = MAX_ARRAY_LENGTH): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
    if (value.length > max) fail(path, `array of ${value.length} items exceeds the cap of ${max}`);
    return value.map((item, index) => decode(item, `${path}[${index}]`));
  };
}

/** Any JSON value, deep-copied with the same key, size and depth rules as typed fields. */
export const raw: Decoder<unknown> = (value, path) => copyRaw(value, path, 0);

function copyRaw(value: unknown, path: string, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return num(value, path);
  if (typeof value === 'string') return str(value, path);
  if (depth >= MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    return arrayOf((item, p) => copyRaw(item, p, depth + 1))(value, path);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const p = child(path, key);
      if (HOSTILE_KEYS.has(key)) fail(p, 'forbidden key');
      out[key] = copyRaw(value[key], p, depth + 1);
    }
    return out;
  }
  return fail(path, `unexpected ${typeof value}`);
}

/** An object of unknown keys whose values all share one decoder (e.g. getmeasure's ts → values). */
export function recordOf<T>(
  decode: Decoder<T>,
  keyPattern: RegExp,
  max = MAX_ARRAY_LENGTH,
): Decoder<Record<string, T>> {
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected an object, got ${describe(value)}`);
    const keys = Object.keys(value);
    if (keys.length > max) fail(path, `object of ${keys.length} entries exceeds the cap of ${max}`);
    const out: Record<string, T> = {};
    for (const key of keys) {
      const p = child(path, key);
      if (!keyPattern.test(key)) fail(p, 'unexpected key');
      out[key] = decode(value[key], p);
    }
    return out;
  };
}

export interface ShapeSpec {
  /** Fields that must be present and not null. */
  required?: Record<string, Decoder<unknown>>;
  /** Fields checked when present; null counts as absent and is dropped. */
  optional?: Record<string, Decoder<unknown>>;
  /** Values to use for absent fields (`homes: []` when a body is `{}`). */
  defaults?: Record<string, () => unknown>;
}

/**
 * An object with some known fields; unknown fields are kept (deep-copied raw) because new
 * device types add fields and an unknown module must still be published.
 */
export function shape<T>(spec: ShapeSpec): Decoder<T> {
  const required = spec.required ?? {};
  const optional = spec.optional ?? {};
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected an object, got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const p = child(path, key);
      if (HOSTILE_KEYS.has(key)) fail(p, 'forbidden key');
      const item = value[key];
      const decode = own(required, key) ?? own(optional, key);
      if (decode === undefined) {
        out[key] = raw(item, p);
      } else if (item === null || item === undefined) {
        if (Object.hasOwn(required, key)) fail(p, 'required field is null');
      } else {
        out[key] = decode(item, p);
      }
    }
    for (const key of Object.keys(required)) {
      if (!Object.hasOwn(out, key)) fail(child(path, key), 'required field is missing');
    }
    for (const [key, make] of Object.entries(spec.defaults ?? {})) {
      if (!Object.hasOwn(out, key)) out[key] = make();
    }
    return out as T;
  };
}

/** Own properties only: a body key like `toString` must not find Object.prototype's. */
function own<V>(table: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
