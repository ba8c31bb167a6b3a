/**
 * The plain Home Assistant entities, one per capability (sensor, binary_sensor, switch, select),
 * and the ComponentKit families use for their composite ones (climate, cover, light, fan...).
 *
 * COMMAND CONTRACT: a writable capability's command topic is `<base>/<device>/set/<key>` and
 * carries the raw value, one of `writable.options` or a number within `writable.min..max`
 * (step `writable.step`); JSON-schema lights send `<base>/<device>/set` with a JSON object.
 * What each family accepts is listed in DOCS.md and src/commands/README.md.
 */
import type { ComponentKit } from '../../devices/family.js';
import type { Capability, Device } from '../../devices/types.js';
import type { ComponentConfig } from '../../mqtt/topics.js';
import { type DiscoveryContext, uniqueId } from './context.js';

function valueTemplate(key: string): string {
  return `{{ value_json.${key} }}`;
}

/** Booleans → ON/OFF; null → None, which HA shows as unknown. */
function booleanTemplate(key: string): string {
  return `{% if value_json.${key} is none %}None{% elif value_json.${key} %}ON{% else %}OFF{% endif %}`;
}

/** The kit for one device: its topics, ids and the plain entity builders. */
export function componentKit(ctx: DiscoveryContext, device: Device, stateTopic: string): ComponentKit {
  const expireAfter = ctx.expireAfter?.[device.source];
  const common: ComponentKit['common'] = (key, cap) => ({
    unique_id: uniqueId(ctx, device.id, key),
    name: cap?.name ?? null,
    ...(cap?.category ? { entity_category: cap.category } : {}),
  });
  const commandTopic = (key?: string): string =>
    key === undefined ? `${stateTopic}/set` : `${stateTopic}/set/${key}`;
  const expiring = expireAfter !== undefined ? { expire_after: expireAfter } : {};

  const single = (cap: Capability): ComponentConfig | undefined => {
    switch (cap.component) {
      case 'binary_sensor':
        return {
          p: 'binary_sensor',
          ...common(cap.key, cap),
          state_topic: stateTopic,
          value_template: booleanTemplate(cap.key),
          payload_on: 'ON',
          payload_off: 'OFF',
          ...(cap.deviceClass ? { device_class: cap.deviceClass } : {}),
          ...expiring,
        };
      case 'switch': {
        // The first two options are the switch's on and off values.
        const [on = 'ON', off = 'OFF'] = cap.options ?? [];
        return {
          p: 'switch',
          ...common(cap.key, cap),
          state_topic: stateTopic,
          value_template: valueTemplate(cap.key),
          command_topic: commandTopic(cap.key),
          payload_on: on,
          payload_off: off,
          state_on: on,
          state_off: off,
          ...(cap.deviceClass ? { device_class: cap.deviceClass } : {}),
        };
      }
      case 'select': {
        const options = cap.writable?.options ?? cap.options ?? [];
        // HA rejects a select without options (a home with no therm schedule).
        if (options.length === 0) return undefined;
        return {
          p: 'select',
          ...common(cap.key, cap),
          state_topic: stateTopic,
          value_template: valueTemplate(cap.key),
          command_topic: commandTopic(cap.key),
          options,
        };
      }
      case 'sensor': {
        const isEnum = cap.kind === 'enum' && cap.options !== undefined && cap.options.length > 0;
        return {
          p: 'sensor',
          ...common(cap.key, cap),
          state_topic: stateTopic,
          value_template: valueTemplate(cap.key),
          ...(isEnum ? { device_class: 'enum', options: cap.options } : {}),
          ...(!isEnum && cap.deviceClass ? { device_class: cap.deviceClass } : {}),
          ...(!isEnum && cap.unit ? { unit_of_measurement: cap.unit } : {}),
          ...(!isEnum && cap.stateClass ? { state_class: cap.stateClass } : {}),
          ...expiring,
        };
      }
      default:
        // Parts of a composite entity (climate, cover, light, fan): the family builds those.
        return undefined;
    }
  };

  return { stateTopic, commandTopic, common, value: valueTemplate, single };
}
