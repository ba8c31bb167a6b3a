/** Reading Netatmo's form and query parameters: absent and empty are the same. */
import { invalid, missing } from '../api-error.js';
import type { Params } from '../world/commands.js';

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

/** A list parameter: comma-separated or a JSON array. */
export function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed)) return parsed.map(String);
  }
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
