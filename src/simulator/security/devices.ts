/** Finds the security devices of the simulated homes by id, with their names and bridges. */
import type { HomeState, World } from '../world/world.js';
import { SECURITY_DEVICE_TYPES } from './event-types.js';

export interface DeviceRef {
  id: string;
  type: string;
  name: string;
}

export interface SecurityDevice extends DeviceRef {
  homeId: string;
  home: HomeState;
  /** The camera a door tag or siren talks through. */
  bridge?: DeviceRef;
}

function ref(home: HomeState, id: string): DeviceRef | undefined {
  const topology = home.topology.modules?.find((m) => m.id === id);
  const type = topology?.type ?? home.modules.get(id)?.get('type');
  if (typeof type !== 'string') return undefined;
  return { id, type, name: topology?.name ?? id };
}

export function findDevice(world: World, id: string): SecurityDevice | undefined {
  for (const [homeId, home] of world.homes) {
    const device = ref(home, id);
    if (!device) continue;
    const bridgeId =
      home.topology.modules?.find((m) => m.id === id)?.bridge ?? home.modules.get(id)?.get('bridge');
    const bridge = typeof bridgeId === 'string' ? ref(home, bridgeId) : undefined;
    return { ...device, homeId, home, ...(bridge ? { bridge } : {}) };
  }
  return undefined;
}

/** Every security device of every home, in topology order. */
export function securityDevices(world: World): SecurityDevice[] {
  const out: SecurityDevice[] = [];
  for (const home of world.homes.values()) {
    for (const module of home.topology.modules ?? []) {
      if (!SECURITY_DEVICE_TYPES.has(module.type)) continue;
      const device = findDevice(world, module.id);
      if (device) out.push(device);
    }
  }
  return out;
}

/** The indoor camera that reports a home's person events (first NACamera/NPC), if any. */
export function personCamera(world: World, homeId: string): SecurityDevice | undefined {
  const home = world.homes.get(homeId);
  const camera = home?.topology.modules?.find((m) => m.type === 'NACamera' || m.type === 'NPC');
  return camera ? findDevice(world, camera.id) : undefined;
}
