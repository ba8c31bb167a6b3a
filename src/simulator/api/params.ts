/** Reading form parameters of /api/* requests; a bad value is a Netatmo error (400, code 10/21). */
import { invalid, missing } from '../api-error.js';

export type Params = Record<string, string>;

export const optional = (params: Params, key: string): string | undefined =>
  params[key] === undefined || params[key] === '' ? undefined : params[key];

export function required(params: Params, key: string): string {
  const value = optional(params, key);
  if (value === undefined) throw missing(key);
  return value;
}

export function intParam(params: Params, key: string, fallback: number, min: number, max: number): number {
  const raw = optional(params, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`Invalid ${key}`);
  return n;
}

/** A comma list or a JSON array of strings. */
export function list(raw: string | undefined, key: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw invalid(`Invalid ${key}`);
    }
    if (Array.isArray(parsed)) return parsed.map(String);
  }
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
