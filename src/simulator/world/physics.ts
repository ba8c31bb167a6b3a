/**
 * How measured values follow commands over simulated time: rooms warm towards their
 * setpoint (and cool towards it or the ambient floor), shutters travel towards their target.
 */

/** Time constant of heating a room, in ms: about 63 % of the gap closes in 45 minutes. */
const HEATING_TAU_MS = 45 * 60_000;
/** Rooms cool more slowly, and not below an indoor ambient floor. */
const COOLING_TAU_MS = 120 * 60_000;
const AMBIENT_FLOOR = 15;
/** A shutter travels its full course in 30 s. */
const SHUTTER_PERCENT_PER_MS = 100 / 30_000;

export function approachTemperature(measured: number, setpoint: number, dtMs: number): number {
  if (dtMs <= 0) return measured;
  if (setpoint > measured) return setpoint - (setpoint - measured) * Math.exp(-dtMs / HEATING_TAU_MS);
  const target = Math.max(setpoint, Math.min(measured, AMBIENT_FLOOR));
  return target + (measured - target) * Math.exp(-dtMs / COOLING_TAU_MS);
}

export function moveShutter(current: number, target: number, dtMs: number): number {
  const step = SHUTTER_PERCENT_PER_MS * Math.max(0, dtMs);
  if (Math.abs(target - current) <= step) return target;
  return current + Math.sign(target - current) * step;
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
