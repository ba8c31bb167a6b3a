/**
 * `<base>/<device>/get` (zigbee2mqtt's read request): the device's state is published again at
 * once, and its home's live state is read soon (within the budget) so the next publish is fresh.
 * No response topic: the answer is the state itself.
 */
import { childLogger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { DeviceResolver } from '../names/device-names.js';
import type { StateStore } from '../state/state-store.js';
import type { DevicePublisher } from './device-publisher.js';

const log = childLogger('publish');

export interface DeviceGetOptions {
  mqtt: MqttConnection;
  store: StateStore;
  /** Which device a topic names (src/names); default: by id. */
  names?: DeviceResolver;
  publisher: DevicePublisher;
  /** Asks for a read of a home's live state (false when none could be scheduled). */
  refreshHome(homeId: string): boolean;
}

/** Serves `<device>/get` until the returned function is called. */
export function serveDeviceGet(o: DeviceGetOptions): () => void {
  return o.mqtt.onMessage('device_get', async (message) => {
    const device = o.names ? o.names.resolve(message.device) : o.store.device(message.device);
    if (!device) {
      log.debug(`get for unknown device '${message.device.slice(0, 80)}'`);
      return;
    }
    await o.publisher.republish(device);
    if (device.source === 'homes' && device.homeId !== undefined) o.refreshHome(device.homeId);
  });
}
