/**
 * What a room's climate mode (heating, cooling, auto) decides: its modes, setpoint range, the
 * Netatmo setpoint fields it reads and writes, and Home Assistant's climate entity for it.
 *
 * Heating rooms: HA modes auto (schedule), heat (manual, max), off; presets away, frost_guard,
 * boost (max). Air-conditioned rooms of a cooling home: auto, cool, off; of an auto home (the AC
 * heats or cools to the setpoint): auto, heat_cool, off; presets away and frost_guard (an AC has
 * no boost: Netatmo refuses `max` for it).
 */
import type { ComponentConfig } from '../../mqtt/topics.js';
import type { ComponentKit } from '../family.js';
import type { Capability, ClimateMode } from '../types.js';

/** Room modes as the bridge names them (Netatmo `hg` → `frost_guard`, `home` → `schedule`). */
export const ROOM_MODES = ['schedule', 'manual', 'max', 'away', 'frost_guard', 'off'] as const;
/** An air-conditioned room has no boost. */
export const AC_ROOM_MODES = ['schedule', 'manual', 'away', 'frost_guard', 'off'] as const;
/** Netatmo's setpoint range and step for heated rooms. */
export const SETPOINT_RANGE = { min: 7, max: 30, step: 0.5 } as const;
/** The range an AC takes (16..30 °C), same step. */
export const AC_SETPOINT_RANGE = { min: 16, max: 30, step: 0.5 } as const;

/** The Netatmo prefix of a climate mode's setpoint fields (`therm_setpoint_mode`, ...). */
export function setpointPrefix(mode: ClimateMode): 'therm' | 'cooling' | 'auto' {
  return mode === 'heating' ? 'therm' : mode;
}

export function roomModes(mode: ClimateMode): readonly string[] {
  return mode === 'heating' ? ROOM_MODES : AC_ROOM_MODES;
}

export function setpointRange(mode: ClimateMode): { min: number; max: number; step: number } {
  return mode === 'heating' ? SETPOINT_RANGE : AC_SETPOINT_RANGE;
}

/** Home Assistant's HVAC mode for a manual setpoint. */
const MANUAL_HVAC: Record<ClimateMode, string> = { heating: 'heat', cooling: 'cool', auto: 'heat_cool' };

/** Room modes shown as Home Assistant presets, with the preset's name. */
const PRESETS: ReadonlyArray<readonly [string, string]> = [
  ['away', 'away'],
  ['frost_guard', 'frost_guard'],
  ['max', 'boost'],
];

/** A Python dict literal for a Jinja template. */
function pyDict(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([k, v]) => `'${k}':'${v}'`).join(',')}}`;
}

/** The climate entity of a room with these capabilities. */
export function climateComponent(
  kit: ComponentKit,
  caps: ReadonlyMap<string, Capability>,
  mode: ClimateMode,
): ComponentConfig {
  const t = kit.stateTopic;
  const range = caps.get('target_temperature')?.writable ?? setpointRange(mode);
  const modes = caps.get('mode')?.writable?.options ?? [...roomModes(mode)];
  const manual = MANUAL_HVAC[mode];
  const hvacOf = modes.map((m): [string, string] => [
    m,
    m === 'manual' || m === 'max' ? manual : m === 'off' ? 'off' : 'auto',
  ]);
  const presets = PRESETS.filter(([m]) => modes.includes(m));
  return {
    p: 'climate',
    ...kit.common('climate'),
    current_temperature_topic: t,
    current_temperature_template: kit.value('current_temperature'),
    temperature_state_topic: t,
    temperature_state_template: kit.value('target_temperature'),
    temperature_command_topic: kit.commandTopic('target_temperature'),
    mode_state_topic: t,
    mode_state_template: `{{ ${pyDict(hvacOf)}.get(value_json.mode, 'auto') }}`,
    mode_command_topic: kit.commandTopic('mode'),
    mode_command_template: `{{ ${pyDict([
      ['auto', 'schedule'],
      [manual, 'manual'],
      ['off', 'off'],
    ])}[value] }}`,
    modes: ['auto', manual, 'off'],
    preset_mode_state_topic: t,
    preset_mode_value_template: `{{ ${pyDict(presets)}.get(value_json.mode, 'none') }}`,
    preset_mode_command_topic: kit.commandTopic('mode'),
    preset_mode_command_template: `{{ ${pyDict([...presets.map(([m, p]) => [p, m] as const), ['none', 'schedule']])}[value] }}`,
    preset_modes: presets.map(([, p]) => p),
    ...(caps.has('heating_action') ? { action_topic: t, action_template: kit.value('heating_action') } : {}),
    min_temp: range.min ?? SETPOINT_RANGE.min,
    max_temp: range.max ?? SETPOINT_RANGE.max,
    temp_step: range.step ?? SETPOINT_RANGE.step,
    precision: 0.1,
    temperature_unit: 'C',
  };
}
