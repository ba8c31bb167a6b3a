/** The MQTT connection of a Bridge, from its configuration (TLS files, login, client id). */
import type { BridgeConfig } from '../config/types.js';
import type { MqttConnectionOptions } from '../mqtt/client-options.js';
import type { Clock } from '../util/clock.js';

export function mqttConnectionOptions(
  config: BridgeConfig,
  clock: Clock,
  overrides: Partial<MqttConnectionOptions> = {},
): MqttConnectionOptions {
  const { mqtt } = config;
  const options: MqttConnectionOptions = {
    url: mqtt.url,
    baseTopic: mqtt.base_topic,
    keepalive: mqtt.keepalive,
    clock,
  };
  if (mqtt.username !== undefined) options.username = mqtt.username;
  if (mqtt.password !== undefined) options.password = mqtt.password;
  if (mqtt.client_id !== undefined) options.clientId = mqtt.client_id;
  if (mqtt.ca || mqtt.cert || mqtt.key) {
    options.tls = { rejectUnauthorized: mqtt.reject_unauthorized };
    if (mqtt.ca) options.tls.ca = mqtt.ca;
    if (mqtt.cert) options.tls.cert = mqtt.cert;
    if (mqtt.key) options.tls.key = mqtt.key;
  }
  return { ...options, ...overrides };
}
