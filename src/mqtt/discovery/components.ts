/**
 * One Home Assistant component config per capability (sensor, binary_sensor, switch,
 * select) and one per composite feature (climate, cover, light, fan).
 *
 * COMMAND CONTRACT (what the command layer receives, exactly as these templates send it):
 *   <base>/<device>/set/<key>  raw value, one of `capability.writable.options`, or a number
 *                              within `writable.min..max` (step `writable.step`):
 *     set/target_temperature  `21.5`                 (room, 7..30 step 0.5)
 *     set/mode                `schedule|manual|max|away|frost_guard|off` (room; `manual` without a
 *                             temperature keeps the current target)
 *     set/thermostat_mode     `schedule|away|frost_guard|off` (home)
 *     set/schedule            a therm schedule NAME (home)
 *     set/state               `ON|OFF|TOGGLE` (switch, plug) or `OPEN|CLOSE|STOP|PREFERRED` (cover;
 *                             PREFERRED has no HA cover payload, automations send it)
 *     set/position            `0..100` (cover; 100 = open)
 *     set/fan_speed           `1|2` (ventilation)
 *     set/monitoring          `on|off` (camera)
 *     set/floodlight          `on|off|auto` (outdoor camera)
 *   <base>/<device>/set        JSON, lights only (HA `schema: json`):
 *                              `{"state":"ON"|"OFF","brightness"?:0..100}` (brightness_scale 100)
 */
import type { Capability, Device } from '../../devices/types.js';
import { type DiscoveryContext, uniqueId } from './context.js';

export type ComponentConfig = Record<string, unknown>;

interface EntityBase {
  ctx: DiscoveryContext;
  device: Device;
  stateTopic: string;
  expireAfter: number | undefined;
}

function valueTemplate(key: string): string {
  return `{{ value_json.${key} }}`;
}

/** Booleans → ON/OFF; null → None, which HA shows as unknown. */
function booleanTemplate(key: string): string {
  return `{% if value_json.${key} is none %}None{% elif value_json.${key} %}ON{% else %}OFF{% endif %}`;
}

function common(base: EntityBase, key: string, cap?: Capability): ComponentConfig {
  return {
    unique_id: uniqueId(base.ctx, base.device.id, key),
    name: cap?.name ?? null,
    ...(cap?.category ? { entity_category: cap.category } : {}),
  };
}

export function sensorComponent(base: EntityBase, cap: Capability): ComponentConfig {
  const isEnum = cap.kind === 'enum' && cap.options !== undefined && cap.options.length > 0;
  return {
    p: 'sensor',
    ...common(base, cap.key, cap),
    state_topic: base.stateTopic,
    value_template: valueTemplate(cap.key),
    ...(isEnum ? { device_class: 'enum', options: cap.options } : {}),
    ...(!isEnum && cap.deviceClass ? { device_class: cap.deviceClass } : {}),
    ...(!isEnum && cap.unit ? { unit_of_measurement: cap.unit } : {}),
    ...(!isEnum && cap.stateClass ? { state_class: cap.stateClass } : {}),
    ...(base.expireAfter !== undefined ? { expire_after: base.expireAfter } : {}),
  };
}

export function binarySensorComponent(base: EntityBase, cap: Capability): ComponentConfig {
  return {
    p: 'binary_sensor',
    ...common(base, cap.key, cap),
    state_topic: base.stateTopic,
    value_template: booleanTemplate(cap.key),
    payload_on: 'ON',
    payload_off: 'OFF',
    ...(cap.deviceClass ? { device_class: cap.deviceClass } : {}),
    ...(base.expireAfter !== undefined ? { expire_after: base.expireAfter } : {}),
  };
}

/** A switch over an enum capability whose first two options are its on and off values. */
export function switchComponent(base: EntityBase, cap: Capability): ComponentConfig {
  const [on = 'ON', off = 'OFF'] = cap.options ?? [];
  return {
    p: 'switch',
    ...common(base, cap.key, cap),
    state_topic: base.stateTopic,
    value_template: valueTemplate(cap.key),
    command_topic: `${base.stateTopic}/set/${cap.key}`,
    payload_on: on,
    payload_off: off,
    state_on: on,
    state_off: off,
    ...(cap.deviceClass ? { device_class: cap.deviceClass } : {}),
  };
}

export function selectComponent(base: EntityBase, cap: Capability): ComponentConfig {
  return {
    p: 'select',
    ...common(base, cap.key, cap),
    state_topic: base.stateTopic,
    value_template: valueTemplate(cap.key),
    command_topic: `${base.stateTopic}/set/${cap.key}`,
    options: cap.writable?.options ?? cap.options ?? [],
  };
}

/** Room climate: HA modes auto (schedule), heat (manual), off; presets away, frost_guard, boost (max). */
export function climateComponent(base: EntityBase, caps: Map<string, Capability>): ComponentConfig {
  const t = base.stateTopic;
  const range = caps.get('target_temperature')?.writable ?? {};
  return {
    p: 'climate',
    ...common(base, 'climate'),
    current_temperature_topic: t,
    current_temperature_template: valueTemplate('current_temperature'),
    temperature_state_topic: t,
    temperature_state_template: valueTemplate('target_temperature'),
    temperature_command_topic: `${t}/set/target_temperature`,
    mode_state_topic: t,
    mode_state_template:
      "{{ {'schedule':'auto','away':'auto','frost_guard':'auto','manual':'heat','max':'heat','off':'off'}" +
      ".get(value_json.mode, 'auto') }}",
    mode_command_topic: `${t}/set/mode`,
    mode_command_template: "{{ {'auto':'schedule','heat':'manual','off':'off'}[value] }}",
    modes: ['auto', 'heat', 'off'],
    preset_mode_state_topic: t,
    preset_mode_value_template:
      "{{ {'away':'away','frost_guard':'frost_guard','max':'boost'}.get(value_json.mode, 'none') }}",
    preset_mode_command_topic: `${t}/set/mode`,
    preset_mode_command_template:
      "{{ {'away':'away','frost_guard':'frost_guard','boost':'max','none':'schedule'}[value] }}",
    preset_modes: ['away', 'frost_guard', 'boost'],
    action_topic: t,
    action_template: valueTemplate('heating_action'),
    min_temp: range.min ?? 7,
    max_temp: range.max ?? 30,
    temp_step: range.step ?? 0.5,
    precision: 0.1,
    temperature_unit: 'C',
  };
}

export function coverComponent(base: EntityBase, caps: Map<string, Capability>): ComponentConfig {
  const t = base.stateTopic;
  const state = caps.get('state');
  return {
    p: 'cover',
    ...common(base, 'cover'),
    ...(state?.deviceClass ? { device_class: state.deviceClass } : {}),
    command_topic: `${t}/set/state`,
    payload_open: 'OPEN',
    payload_close: 'CLOSE',
    payload_stop: 'STOP',
    state_topic: t,
    value_template: valueTemplate('state'),
    position_topic: t,
    position_template: valueTemplate('position'),
    set_position_topic: `${t}/set/position`,
    set_position_template: '{{ position }}',
    position_open: 100,
    position_closed: 0,
  };
}

/** A button that moves a shutter to its preferred position (`<base>/<id>/set/state` PREFERRED). */
export function preferredPositionButton(base: EntityBase): ComponentConfig {
  return {
    p: 'button',
    ...common(base, 'preferred_position'),
    name: 'Preferred position',
    icon: 'mdi:window-shutter-settings',
    command_topic: `${base.stateTopic}/set/state`,
    payload_press: 'PREFERRED',
  };
}

/** JSON-schema light: HA reads `state`/`brightness` from the device's state JSON directly. */
export function lightComponent(base: EntityBase, caps: Map<string, Capability>): ComponentConfig {
  const dimmable = caps.has('brightness');
  return {
    p: 'light',
    ...common(base, 'light'),
    schema: 'json',
    state_topic: base.stateTopic,
    command_topic: `${base.stateTopic}/set`,
    brightness: dimmable,
    ...(dimmable ? { brightness_scale: 100 } : {}),
    supported_color_modes: [dimmable ? 'brightness' : 'onoff'],
  };
}

/**
 * Ventilation: speeds 1..2 map to 50 % / 100 %. The NLLF cannot be switched off, so the
 * on/off command topic also just selects the normal speed (1), and so does 0 % (HA sends
 * speed 0 for it, which the bridge would refuse).
 */
export function fanComponent(base: EntityBase, caps: Map<string, Capability>): ComponentConfig {
  const t = base.stateTopic;
  const range = caps.get('fan_speed')?.writable ?? {};
  return {
    p: 'fan',
    ...common(base, 'fan'),
    state_topic: t,
    state_value_template: "{{ 'ON' if value_json.fan_speed else 'OFF' }}",
    command_topic: `${t}/set/fan_speed`,
    command_template: `{{ ${range.min ?? 1} }}`,
    percentage_state_topic: t,
    percentage_value_template: valueTemplate('fan_speed'),
    percentage_command_topic: `${t}/set/fan_speed`,
    percentage_command_template: `{{ value if value > 0 else ${range.min ?? 1} }}`,
    speed_range_min: range.min ?? 1,
    speed_range_max: range.max ?? 2,
  };
}

export type { EntityBase };
