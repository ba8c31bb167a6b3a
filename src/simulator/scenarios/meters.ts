/**
 * The `meters:N` scenario for the energy benchmark: the home of `scale:1,28` (one of every
 * device kind) plus N Legrand NLPC energy meters on its NLG gateway, each drawing a household
 * load profile. Compare it with `scale:1,28` to see what N meters cost.
 */
import type { ModuleStatus, ModuleTopology } from '../../netatmo/api-types.js';
import type { WorldSeed } from '../world/seed.js';
import { generateScaleSeed, MIN_MODULES, scaleModuleId } from './scale.js';

export const MAX_METERS = 500;
/** Meter ids start here, clear of the scale home's own module numbers (below 1000). */
const FIRST_METER_NUMBER = 2000;

export function generateMetersSeed(count: number, nowMs = 1_750_000_000_000): WorldSeed {
  const seed = generateScaleSeed(1, MIN_MODULES, nowMs);
  const home = seed.homes[0]!;
  const status = seed.statuses[home.id]!;
  const modules = home.modules ?? [];
  const gateway = modules.find((m) => m.type === 'NLG');
  const room = home.rooms?.[0];
  if (!gateway || !room) throw new Error('the scale home has no NLG gateway or room');
  const nowSec = Math.floor(nowMs / 1000);
  for (let i = 0; i < count; i++) {
    const id = scaleModuleId(0, FIRST_METER_NUMBER + i);
    const topology: ModuleTopology = {
      id,
      type: 'NLPC',
      name: `Energy meter ${i + 1}`,
      setup_date: nowSec - 86_400 * 30,
      room_id: room.id,
      bridge: gateway.id,
    };
    const live: ModuleStatus = {
      id,
      type: 'NLPC',
      bridge: gateway.id,
      firmware_revision: 62,
      last_seen: nowSec,
      reachable: true,
      // Different households: 150 to 890 W at the start.
      power: 150 + ((i * 137) % 741),
    };
    modules.push(topology);
    status.modules?.push(live);
    room.module_ids?.push(id);
    gateway.modules_bridged = [...(gateway.modules_bridged ?? []), id];
  }
  return seed;
}
