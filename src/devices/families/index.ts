/**
 * Every device family, and the catalogue their type tables make together. Netatmo type codes are
 * unique across families (a test checks it); a type no family lists belongs to `unknown`.
 */
import {
  type DeviceFamily,
  isModuleFamily,
  type ModuleFamily,
  type TypeEntry,
  type VirtualFamily,
} from '../family.js';
import { camera } from './camera.js';
import { climateSensor } from './climate-sensor.js';
import { cover } from './cover.js';
import { doorTag } from './door-tag.js';
import { energyMeter } from './energy-meter.js';
import { fan } from './fan.js';
import { gateway } from './gateway.js';
import { heating } from './heating.js';
import { home } from './home.js';
import { homeCoach } from './home-coach.js';
import type { FamilyId } from './ids.js';
import { intercom } from './intercom.js';
import { light } from './light.js';
import { person } from './person.js';
import { remote } from './remote.js';
import { room } from './room.js';
import { siren } from './siren.js';
import { smokeCo } from './smoke-co.js';
import { switchFamily } from './switch.js';
import { unknown } from './unknown.js';
import { veluxGateway } from './velux-gateway.js';
import { weather } from './weather.js';

export const MODULE_FAMILIES: readonly ModuleFamily[] = [
  heating,
  cover,
  light,
  switchFamily,
  fan,
  energyMeter,
  weather,
  homeCoach,
  camera,
  smokeCo,
  doorTag,
  siren,
  gateway,
  veluxGateway,
  climateSensor,
  intercom,
  remote,
];

/** Families derived from a home's topology, in the order their devices are listed. */
export const VIRTUAL_FAMILIES: readonly VirtualFamily[] = [room, home, person];

const ALL: readonly DeviceFamily[] = [...MODULE_FAMILIES, unknown, ...VIRTUAL_FAMILIES];
const BY_ID = new Map<FamilyId, DeviceFamily>(ALL.map((f) => [f.id, f]));
// `unknown` lists the stub type pyatmo files unidentified Legrand modules under (NLunknown).
const BY_TYPE = new Map<string, ModuleFamily>(
  [...MODULE_FAMILIES, unknown].flatMap((f) => Object.keys(f.types).map((type) => [type, f] as const)),
);

export function familyById(id: FamilyId): DeviceFamily {
  const family = BY_ID.get(id);
  if (!family) throw new Error(`no device family ${id}`);
  return family;
}

/** The family of a Netatmo type; `unknown` for a type no family lists. */
export function familyOfType(type: string): ModuleFamily {
  return BY_TYPE.get(type) ?? unknown;
}

export function typeEntry(type: string): TypeEntry | undefined {
  return BY_TYPE.get(type)?.types[type];
}

/** Every Netatmo type code some family knows, for tests and documentation. */
export const KNOWN_TYPES: readonly string[] = [...BY_TYPE.keys()];

/** Every command key some family accepts: a key a device lacks is then "unsupported", not "unknown". */
export const COMMAND_KEYS: ReadonlySet<string> = new Set(ALL.flatMap((f) => f.commandKeys ?? []));

export { isModuleFamily, unknown };
