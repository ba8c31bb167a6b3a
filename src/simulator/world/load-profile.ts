/**
 * How a metered household load varies: a daily shape in local time (low at night, peaks in
 * the morning and evening) with a small deterministic jitter per meter and 5-minute step, so
 * the same simulated instant always gives the same power, however the clock got there.
 */

/** Meters' power changes on this step (ms), like a meter uploading 5-minute averages. */
export const PROFILE_STEP_MS = 5 * 60_000;

/** Local hour → share of the daily mean; linear between points. */
const DAILY_SHAPE: ReadonlyArray<readonly [number, number]> = [
  [0, 0.45],
  [6, 0.45],
  [7.5, 1.25],
  [9, 0.8],
  [12, 1.0],
  [14, 0.75],
  [18, 1.3],
  [21, 1.55],
  [23, 0.7],
  [24, 0.45],
];

export function dailyShape(hour: number): number {
  const h = ((hour % 24) + 24) % 24;
  for (let i = 1; i < DAILY_SHAPE.length; i++) {
    const [h1, v1] = DAILY_SHAPE[i]!;
    const [h0, v0] = DAILY_SHAPE[i - 1]!;
    if (h <= h1) return v0 + ((v1 - v0) * (h - h0)) / (h1 - h0);
  }
  return DAILY_SHAPE[0]![1];
}

/** A factor in [0.85, 1.15] fixed by the meter and the 5-minute step (FNV-1a hash). */
export function jitter(meterId: string, step: number): number {
  let h = 0x811c9dc5;
  const text = `${meterId}@${step}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 0.85 + 0.3 * (h / 4294967296);
}
