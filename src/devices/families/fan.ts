/**
 * Centralised ventilation: two speeds (1 normal, 2 boost) through `setstate` `fan_speed`, and
 * the power it draws. It cannot be switched off.
 */
import { diagnostics, power } from '../capability.js';
import { moduleAction, moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { DeviceState } from '../types.js';

export const fan = moduleFamily({
  id: 'fan',
  kind: 'fan',
  commandKeys: ['fan_speed'],
  // biome-ignore format: one line per type
  types: {
    NLLF: { model: 'Centralized Ventilation Control', vendor: 'Legrand', history: 'energy' },
  },
  capabilities: ({ entry, reported }) => [
    { key: 'fan_speed', kind: 'number', component: 'fan', writable: { min: 1, max: 2, step: 1 } },
    power,
    ...diagnostics(entry, reported),
  ],
  state: (m) => {
    const state: DeviceState = { fan_speed: num(m.fan_speed) };
    if ('power' in m) state.power = num(m.power);
    return state;
  },
  encode({ device, values }) {
    const action = moduleAction(device, { fan_speed: values.fan_speed });
    return 'error' in action
      ? action
      : { actions: [action], expected: { fan_speed: values.fan_speed ?? null }, confirmable: ['fan_speed'] };
  },
  /**
   * Speeds 1..2 map to 50 % / 100 %. The NLLF cannot be switched off, so the on/off command
   * topic also just selects the normal speed (1), and so does 0 % (HA sends speed 0 for it,
   * which the bridge would refuse).
   */
  components(kit, caps) {
    const range = caps.get('fan_speed')?.writable ?? {};
    return {
      fan: {
        p: 'fan',
        ...kit.common('fan'),
        state_topic: kit.stateTopic,
        state_value_template: "{{ 'ON' if value_json.fan_speed else 'OFF' }}",
        command_topic: kit.commandTopic('fan_speed'),
        command_template: `{{ ${range.min ?? 1} }}`,
        percentage_state_topic: kit.stateTopic,
        percentage_value_template: kit.value('fan_speed'),
        percentage_command_topic: kit.commandTopic('fan_speed'),
        percentage_command_template: `{{ value if value > 0 else ${range.min ?? 1} }}`,
        speed_range_min: range.min ?? 1,
        speed_range_max: range.max ?? 2,
      },
    };
  },
});
