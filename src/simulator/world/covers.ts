/**
 * What a cover (shutter, blind, window opener) can do, read from its own homestatus data:
 * `target_position:step` is the grid its target positions must lie on (100 = open, close and
 * stop only), and BTicino MyHome Server 1 actors (BNAS, BNAB, BNMS) have no preferred
 * position. pyatmo reads the same two signals (`bticino.py` `MyHomeShutterMixin`).
 */

import type { TrackedEntity } from './values.js';
import type { HomeState } from './world.js';

/** MyHome Server 1 BUS actors: the hardware rejects "preferred position" (pyatmo: error code 5). */
const MYHOME_SHUTTERS = new Set(['BNAS', 'BNAB', 'BNMS']);
/** A step of 100 means the actor only opens, closes and stops. */
export const OPEN_CLOSE_ONLY_STEP = 100;

/**
 * The grid of target positions, from `target_position:step`. The `target_position_step`
 * spelling that some pyatmo fixtures carry is not read: pyatmo ignores it too, so the
 * covers that report it (NBR, Z3V in the fixtures home) accept any position.
 */
export function coverStep(module: TrackedEntity): number | undefined {
  const step = module.num('target_position:step');
  return step !== undefined && step > 0 ? step : undefined;
}

export function refusesPreferredPosition(module: TrackedEntity): boolean {
  return MYHOME_SHUTTERS.has(String(module.get('type')));
}

/**
 * An uncalibrated MyHome actor (step 100) has no position sensor: `current_position` mirrors
 * the last commanded target, and 101 means it was never instructed (pyatmo `bticino.py`).
 */
export function mirrorsTarget(module: TrackedEntity): boolean {
  const step = coverStep(module);
  return refusesPreferredPosition(module) && (step === undefined || step >= OPEN_CLOSE_ONLY_STEP);
}

/** Why the cover refuses `target` (a per-module error), or undefined when it accepts it. */
export function positionRefusal(module: TrackedEntity, target: number): string | undefined {
  if (target === -1) return undefined;
  if (target === -2) {
    return refusesPreferredPosition(module) ? 'preferred position not supported' : undefined;
  }
  const step = coverStep(module);
  if (step !== undefined && target % step !== 0) return `target_position must be a multiple of ${step}`;
  return undefined;
}

/** Mirror-only actors do not travel: the world's shutter physics leaves them alone. */
export function untrackMirrorActors(home: HomeState): void {
  for (const [id, module] of home.modules) if (mirrorsTarget(module)) home.shutterPositions.delete(id);
}
