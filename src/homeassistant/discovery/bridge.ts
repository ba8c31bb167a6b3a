/**
 * The bridge itself as an HA device: connection, API usage and auth diagnostics, a log
 * level select and a restart button, after zigbee2mqtt's bridge device (its children point
 * at it with `via_device`).
 *
 * Reads `<base>/bridge/state`, `<base>/bridge/info` (`version`, `log_level`,
 * `restart_required`) and `<base>/bridge/health` (`api.calls.last_hour`,
 * `api.budget.remaining_hour`, `api.throttle.active`, `auth.state`) — the payloads in
 * src/mqtt/topics.ts (BridgeInfoPayload, BridgeHealthPayload). Sends `<base>/bridge/request/options` with
 * `{"options":{"log_level":"<level>"}}` and `<base>/bridge/request/restart` with "".
 */
import { LOG_LEVELS } from '../../log.js';
import type { ComponentConfig } from '../../mqtt/topics.js';
import { type DiscoveryContext, type DiscoveryMessage, deviceDiscoveryTopic, uniqueId } from './context.js';

/** The bridge's own discovery topic: `<prefix>/device/<base>/bridge/config`. */
export function bridgeDiscoveryTopic(ctx: DiscoveryContext): string {
  return deviceDiscoveryTopic(ctx, 'bridge');
}

export function buildBridgeDiscovery(ctx: DiscoveryContext): DiscoveryMessage {
  const b = `${ctx.baseTopic}/bridge`;
  const online = [{ topic: `${b}/state`, value_template: '{{ value_json.state }}' }];
  const id = (key: string): string => uniqueId(ctx, 'bridge', key);
  const diagnostic = { entity_category: 'diagnostic', availability: online } as const;

  const cmps: Record<string, ComponentConfig> = {
    // No availability: it must be able to show "disconnected" when the bridge is gone.
    connection_state: {
      p: 'binary_sensor',
      unique_id: id('connection_state'),
      name: 'Connection state',
      device_class: 'connectivity',
      entity_category: 'diagnostic',
      state_topic: `${b}/state`,
      value_template: '{{ value_json.state }}',
      payload_on: 'online',
      payload_off: 'offline',
    },
    api_calls_last_hour: {
      p: 'sensor',
      unique_id: id('api_calls_last_hour'),
      name: 'API calls last hour',
      state_topic: `${b}/health`,
      value_template: '{{ value_json.api.calls.last_hour }}',
      unit_of_measurement: 'calls',
      state_class: 'measurement',
      ...diagnostic,
    },
    remaining_quota: {
      p: 'sensor',
      unique_id: id('remaining_quota'),
      name: 'Remaining hourly quota',
      state_topic: `${b}/health`,
      value_template: '{{ value_json.api.budget.remaining_hour }}',
      unit_of_measurement: 'calls',
      state_class: 'measurement',
      ...diagnostic,
    },
    throttled: {
      p: 'binary_sensor',
      unique_id: id('throttled'),
      name: 'Throttled',
      device_class: 'problem',
      state_topic: `${b}/health`,
      value_template: "{{ 'ON' if value_json.api.throttle.active else 'OFF' }}",
      ...diagnostic,
    },
    reauth_required: {
      p: 'binary_sensor',
      unique_id: id('reauth_required'),
      name: 'Re-authentication needed',
      device_class: 'problem',
      state_topic: `${b}/health`,
      value_template: "{{ 'ON' if value_json.auth.state == 'reauth_required' else 'OFF' }}",
      ...diagnostic,
    },
    restart_required: {
      p: 'binary_sensor',
      unique_id: id('restart_required'),
      name: 'Restart required',
      device_class: 'problem',
      state_topic: `${b}/info`,
      value_template: "{{ 'ON' if value_json.restart_required else 'OFF' }}",
      ...diagnostic,
    },
    version: {
      p: 'sensor',
      unique_id: id('version'),
      name: 'Version',
      state_topic: `${b}/info`,
      value_template: '{{ value_json.version }}',
      ...diagnostic,
    },
    log_level: {
      p: 'select',
      unique_id: id('log_level'),
      name: 'Log level',
      entity_category: 'config',
      availability: online,
      state_topic: `${b}/info`,
      value_template: '{{ value_json.log_level }}',
      command_topic: `${b}/request/options`,
      command_template: '{"options":{"log_level":"{{ value }}"}}',
      options: [...LOG_LEVELS],
    },
    restart: {
      p: 'button',
      unique_id: id('restart'),
      name: 'Restart',
      device_class: 'restart',
      entity_category: 'config',
      availability: online,
      command_topic: `${b}/request/restart`,
      payload_press: '',
    },
  };

  return {
    topic: bridgeDiscoveryTopic(ctx),
    payload: {
      dev: {
        identifiers: [ctx.bridgeDeviceId],
        name:
          ctx.account === undefined
            ? `${ctx.origin.name} bridge`
            : `${ctx.origin.name} bridge ${ctx.account}`,
        manufacturer: ctx.origin.name,
        model: 'Netatmo to MQTT bridge',
        sw_version: ctx.origin.sw,
      },
      o: { name: ctx.origin.name, sw: ctx.origin.sw, url: ctx.origin.url },
      qos: 1,
      cmps,
    },
  };
}
