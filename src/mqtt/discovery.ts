/**
 * Home Assistant MQTT discovery for netatmo2mqtt: device-based configs for every Netatmo
 * device and for the bridge itself, plus the pure helper for the start-up sweep.
 *
 *   const msg = buildDiscovery(device, state, ctx);   // publish msg.payload retained, QoS 1
 *   const bridge = buildBridgeDiscovery(ctx);
 *   const stale = discoveryTopicsToClear(seenTopics, new Set(allTopics), ownDiscoveryTopicPrefix(ctx));
 *
 * Topics: `<prefix>/device/<base>/<device id>/config` (bridge: `.../<base>/bridge/config`).
 * Unique ids: `<device id>_<entity>_<base topic>`; device identifiers `<base>_<device id>`.
 * What each command topic receives is documented in discovery/components.ts.
 */
export { bridgeDiscoveryTopic, buildBridgeDiscovery } from './discovery/bridge.js';
export {
  baseTopicToken,
  type DiscoveryContext,
  type DiscoveryMessage,
  type DiscoveryOrigin,
  deviceDiscoveryTopic,
  expireAfterFromPollInterval,
  ownDiscoveryTopicPrefix,
} from './discovery/context.js';
export { buildDiscovery } from './discovery/device.js';
export { discoveryTopicsToClear } from './discovery/sweep.js';
