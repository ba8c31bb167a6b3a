/**
 * Device-based discovery (HA 2024.11+): one retained message per device at
 * `<prefix>/device/<base>/<device>/config` with `dev`, `o`, shared availability and `cmps`.
 */
import type { Capability, Device, DeviceState } from '../../devices/types.js';
import {
  binarySensorComponent,
  type ComponentConfig,
  climateComponent,
  coverComponent,
  type EntityBase,
  fanComponent,
  lightComponent,
  preferredPositionButton,
  selectComponent,
  sensorComponent,
  switchComponent,
} from './components.js';
import {
  availabilityList,
  type DiscoveryContext,
  type DiscoveryMessage,
  deviceDiscoveryTopic,
  deviceIdentifier,
} from './context.js';

const COMPOSITES = {
  climate: climateComponent,
  cover: coverComponent,
  light: lightComponent,
  fan: fanComponent,
} as const;

export function buildDiscovery(
  device: Device,
  state: DeviceState | undefined,
  ctx: DiscoveryContext,
): DiscoveryMessage {
  const base: EntityBase = {
    ctx,
    device,
    stateTopic: `${ctx.baseTopic}/${device.id}`,
    expireAfter: ctx.expireAfter?.[device.source],
  };
  const cmps: Record<string, ComponentConfig> = {};

  const composite = new Map<keyof typeof COMPOSITES, Map<string, Capability>>();
  for (const cap of device.capabilities) {
    if (cap.component in COMPOSITES) {
      const key = cap.component as keyof typeof COMPOSITES;
      const parts = composite.get(key) ?? new Map<string, Capability>();
      parts.set(cap.key, cap);
      composite.set(key, parts);
      continue;
    }
    const config = singleComponent(base, cap);
    if (config) cmps[cap.key] = config;
  }
  for (const [name, parts] of composite) cmps[name] = COMPOSITES[name](base, parts);
  // HA's cover has no "preferred position": a button sends it (as HA's own Netatmo integration does).
  if (composite.get('cover')?.get('state')?.writable?.options?.includes('PREFERRED')) {
    cmps.preferred_position = preferredPositionButton(base);
  }

  // An unknown module's fields are only known once its state arrives: one plain entity each.
  if (device.kind === 'unknown' && state) {
    for (const [key, value] of Object.entries(state)) {
      if (key in cmps || value === null) continue;
      cmps[key] = rawComponent(base, key, value);
    }
  }

  const firmware = typeof state?.firmware === 'string' ? state.firmware : undefined;
  const isModule = device.kind !== 'room' && device.kind !== 'home';
  return {
    topic: deviceDiscoveryTopic(ctx, device.id),
    payload: {
      dev: {
        identifiers: [deviceIdentifier(ctx, device.id)],
        name: device.name,
        manufacturer: device.manufacturer,
        model: device.model,
        model_id: device.type,
        ...(isModule ? { serial_number: device.netatmoId } : {}),
        ...(firmware ? { sw_version: firmware } : {}),
        ...(device.roomName ? { suggested_area: device.roomName } : {}),
        via_device: ctx.bridgeDeviceId,
      },
      o: { name: ctx.origin.name, sw: ctx.origin.sw, url: ctx.origin.url },
      availability: availabilityList(ctx, device.id),
      availability_mode: 'all',
      qos: 1,
      cmps,
    },
  };
}

function singleComponent(base: EntityBase, cap: Capability): ComponentConfig | undefined {
  switch (cap.component) {
    case 'binary_sensor':
      return binarySensorComponent(base, cap);
    case 'switch':
      return switchComponent(base, cap);
    case 'select':
      // HA rejects a select without options (a home with no therm schedule).
      return (cap.writable?.options ?? cap.options ?? []).length > 0 ? selectComponent(base, cap) : undefined;
    default:
      return sensorComponent(base, cap);
  }
}

function rawComponent(base: EntityBase, key: string, value: string | number | boolean): ComponentConfig {
  const cap: Capability = {
    key,
    name: key.replace(/_/g, ' '),
    kind: typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'text',
    component: typeof value === 'boolean' ? 'binary_sensor' : 'sensor',
  };
  return cap.component === 'binary_sensor' ? binarySensorComponent(base, cap) : sensorComponent(base, cap);
}
