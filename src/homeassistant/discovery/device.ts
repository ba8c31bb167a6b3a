/**
 * Device-based discovery (HA 2024.11+): one retained message per device at
 * `<prefix>/device/<base>/<device>/config` with `dev`, `o`, shared availability and `cmps`:
 * a plain entity per capability, the family's composite entities (climate, cover, ...), and
 * for devices that send events their event entity, triggers and pictures (security.ts).
 */
import { familyById } from '../../devices/index.js';
import type { Capability, Device, DeviceState } from '../../devices/types.js';
import type { ComponentConfig } from '../../mqtt/topics.js';
import { componentKit } from './components.js';
import {
  availabilityList,
  type DiscoveryContext,
  type DiscoveryMessage,
  deviceDiscoveryTopic,
  deviceIdentifier,
} from './context.js';
import { securityComponents } from './security.js';

export function buildDiscovery(
  device: Device,
  state: DeviceState | undefined,
  ctx: DiscoveryContext,
): DiscoveryMessage {
  const topic = ctx.topics?.topicOf(device) ?? device.id;
  const kit = componentKit(ctx, device, `${ctx.baseTopic}/${topic}`);
  const cmps: Record<string, ComponentConfig> = {};
  const caps = new Map<string, Capability>();
  for (const cap of device.capabilities) {
    caps.set(cap.key, cap);
    const config = kit.single(cap);
    if (config) cmps[cap.key] = config;
  }
  const family = familyById(device.family);
  const composite = {
    ...family.components?.(kit, caps, device, state),
    ...securityComponents(kit, device, { snapshotCamera: ctx.snapshotCamera === true }),
  };
  for (const [key, config] of Object.entries(composite)) {
    if (!(key in cmps)) cmps[key] = config;
  }

  const firmware = typeof state?.firmware === 'string' ? state.firmware : undefined;
  const isModule = device.family !== 'room' && device.family !== 'home' && device.family !== 'person';
  return {
    topic: deviceDiscoveryTopic(ctx, device.id),
    payload: {
      dev: {
        identifiers: [deviceIdentifier(ctx, device.id)],
        name: ctx.topics?.nameOf(device) ?? device.name,
        manufacturer: device.manufacturer,
        model: device.model,
        model_id: device.type,
        ...(isModule ? { serial_number: device.netatmoId } : {}),
        ...(firmware ? { sw_version: firmware } : {}),
        ...(device.roomName ? { suggested_area: device.roomName } : {}),
        via_device: ctx.bridgeDeviceId,
      },
      o: { name: ctx.origin.name, sw: ctx.origin.sw, url: ctx.origin.url },
      availability: availabilityList(ctx, topic),
      availability_mode: 'all',
      qos: 1,
      cmps,
    },
  };
}

/**
 * What a device's discovery config depends on in its state (firmware, and what its family says):
 * when this changes, the config is built and published again.
 */
export function discoveryInputs(device: Device, state: DeviceState | undefined): string {
  const firmware = typeof state?.firmware === 'string' ? state.firmware : '';
  const extra = state ? (familyById(device.family).discoveryKey?.(state) ?? '') : '';
  return `${firmware}\n${extra}`;
}
