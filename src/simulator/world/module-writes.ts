/**
 * setstate for modules, refused the way Netatmo refuses:
 * - the whole call (HTTP 400, code 21, nothing changes) for an unknown module id
 *   ("Invalid device_id, <id>") or a property the module does not have ("cannot set property
 *   <p> for module <id>"): both messages are recorded answers (pyatmo fixtures
 *   `camera_set_state_error*.json`). A module has a property when its own homestatus data
 *   reports it: brightness only on modules that report `brightness` (dimmers).
 * - one module (HTTP 200, `body.errors[{code, id}]`, that module unchanged, the others applied)
 *   for a command the device cannot execute: code 5 ("invalid params", Netatmo's per-module
 *   command code) for a position off the cover's `target_position:step` grid or a preferred
 *   position on a MyHome shutter; code 6 for an unreachable module.
 */
import type { ModuleError } from '../../netatmo/api-types.js';
import { invalid, missing } from '../api-error.js';
import { mirrorsTarget, positionRefusal } from './covers.js';
import type { Fields, TrackedEntity } from './values.js';
import type { HomeState } from './world.js';

const PREFERRED_SHUTTER_POSITION = 50;

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Validators for the module properties setstate accepts; a module must already report the field. */
const MODULE_PROPERTIES: Record<string, (v: unknown) => boolean> = {
  target_position: (v) => isInt(v, -2, 100),
  on: (v) => typeof v === 'boolean',
  brightness: (v) => isInt(v, 0, 100),
  fan_speed: (v) => isInt(v, 1, 2),
  monitoring: (v) => v === 'on' || v === 'off',
  floodlight: (v) => v === 'on' || v === 'off' || v === 'auto',
};

const IGNORED_KEYS = new Set(['id', 'bridge']);

/** Checks one module entry; throws the whole-call refusal, returns the module otherwise. */
export function checkModuleWrite(home: HomeState, req: Fields): TrackedEntity {
  if (typeof req.id !== 'string') throw missing('module id');
  const module = home.modules.get(req.id);
  if (!module) throw invalid(`Invalid device_id, ${req.id}`);
  for (const [key, value] of Object.entries(req)) {
    if (IGNORED_KEYS.has(key)) continue;
    const valid = MODULE_PROPERTIES[key];
    if (!valid || module.get(key) === undefined) {
      throw invalid(`cannot set property ${key} for module ${req.id}`);
    }
    if (!valid(value)) throw invalid(`Invalid value for ${key} of module ${req.id}`);
  }
  return module;
}

/** The per-module error for a command the device cannot execute, or undefined. */
export function moduleRefusal(module: TrackedEntity, req: Fields): ModuleError | undefined {
  const target = req.target_position;
  const reason = typeof target === 'number' ? positionRefusal(module, target) : undefined;
  if (reason === undefined) return undefined;
  return { code: 5, id: module.id, message: `Invalid params: ${reason}`, command: 'command/setstate' };
}

export function applyModuleWrite(home: HomeState, module: TrackedEntity, req: Fields, now: number): void {
  for (const [key, value] of Object.entries(req)) {
    if (IGNORED_KEYS.has(key)) continue;
    if (key === 'target_position') moveCover(home, module, value as number, now);
    else module.set(key, value, now);
  }
  // A switched load draws power only while on.
  if (typeof req.on === 'boolean' && module.get('power') !== undefined) {
    const brightness = module.num('brightness') ?? 100;
    module.set('power', req.on ? Math.max(1, Math.round(0.6 * brightness)) : 0, now);
  }
}

/** -1 stops where the cover is, -2 goes to its preferred position; the world moves it there. */
function moveCover(home: HomeState, module: TrackedEntity, value: number, now: number): void {
  const current = home.shutterPositions.get(module.id) ?? module.num('current_position') ?? 0;
  const target =
    value === -1
      ? Math.round(current)
      : value === -2
        ? (module.num('preferred_position') ?? PREFERRED_SHUTTER_POSITION)
        : value;
  module.set('target_position', target, now);
  if (mirrorsTarget(module)) {
    // No position sensor: it reports the last command as its position (101 until the first).
    if (value !== -1) module.set('current_position', target, now);
    return;
  }
  if (!home.shutterPositions.has(module.id)) home.shutterPositions.set(module.id, current);
}
