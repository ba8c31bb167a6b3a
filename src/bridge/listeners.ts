/**
 * What listens to what in a running Bridge: the store's listeners (names first, then discovery
 * configs before states), the MQTT request handlers, Home Assistant's birth, and the credential
 * events that stop and restart polling. Returns the functions that undo each of them.
 */
import type { CommandRouter } from '../commands/router.js';
import type { BridgeConfig } from '../config/types.js';
import type { EnergyMeters } from '../energy/energy-meters.js';
import type { EventBus } from '../events.js';
import type { HomeAssistantBirthWatcher } from '../homeassistant/birth.js';
import type { DiscoveryPublisher } from '../homeassistant/discovery-publisher.js';
import { childLogger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { DeviceNames } from '../names/device-names.js';
import type { Poller } from '../poller/poller.js';
import { serveDeviceGet } from '../publish/device-get.js';
import type { DevicePublisher } from '../publish/device-publisher.js';
import { publishLog } from '../publish/log-publisher.js';
import type { StateCache } from '../state/state-cache.js';
import type { StateStore } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';
import { type BridgeControl, bridgeRequestHandlers, serveBridgeRequests } from './requests.js';
import type { SecurityStack } from './security-stack.js';

const log = childLogger('bridge');

/** The parts of a Bridge that listen or are listened to (the Bridge itself). */
export interface ListeningParts extends BridgeControl {
  readonly config: BridgeConfig;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly store: StateStore;
  readonly mqtt: MqttConnection;
  readonly names: DeviceNames;
  readonly poller: Poller;
  readonly devices: DevicePublisher;
  readonly discovery: DiscoveryPublisher | undefined;
  readonly commands: CommandRouter;
  readonly security: SecurityStack;
  readonly energy: EnergyMeters;
}

export function wireListeners(
  p: ListeningParts,
  cache: StateCache,
  birth: HomeAssistantBirthWatcher,
): Array<() => void> {
  const { store } = p;
  return [
    // Names first: the publishers after it see a new topology's names.
    store.subscribe(p.names),
    p.names.onMoved(async (moves) => {
      await Promise.all([
        p.devices.moved(moves),
        p.security.publisher.moved(moves),
        ...moves.map((m) => p.discovery?.republish(m.device)),
      ]);
    }),
    // Configs before states: Home Assistant learns a device before its first value.
    ...(p.discovery ? [store.subscribe(p.discovery)] : []),
    store.subscribe(p.devices),
    store.subscribe(p.security.publisher),
    store.subscribe(p.energy),
    store.subscribe({
      topologyChanged: () => cache.markDirty(),
      statesApplied: (applied) => {
        if (applied.changes.length > 0) cache.markDirty();
      },
      availabilityChanged: () => cache.markDirty(),
    }),
    serveBridgeRequests(p.mqtt, bridgeRequestHandlers(p)),
    // Before mqtt.start(): a persistent session delivers queued commands right after connect.
    p.commands.attach(),
    serveDeviceGet({
      mqtt: p.mqtt,
      store,
      names: p.names,
      publisher: p.devices,
      refreshHome: (homeId) => p.poller.refreshHome(homeId, { soon: false }),
    }),
    birth.attach(p.mqtt, p.config.homeassistant.status_topic),
    birth.onBirth(() => p.devices.republishAll()),
    publishLog(p.mqtt, p.clock),
    p.events.on('reauthRequired', (e) => {
      log.error(
        `Netatmo needs a new authorisation: ${e.reason}. Polling stops until new credentials arrive.`,
      );
      p.poller.stop();
    }),
    p.events.on('credentialsRestored', () => {
      log.info('Netatmo credentials restored: polling starts');
      p.poller.restart();
      p.security.start();
      p.energy.start();
    }),
  ];
}
