/**
 * The Home Assistant state rules catch what HA would refuse: templates rendered by real Jinja2
 * that a hand-written subset would have let through (an undefined name, a wrong case, a number
 * that is not one). Skipped, saying why, where Python or Jinja2 is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jinja2, jinja2Missing, startJinja2 } from '../support/jinja2.js';
import { availabilityProblems, type ComponentConfig, stateTemplateProblems } from './ha-state-rules.js';

const missing = jinja2Missing();
let jinja: Jinja2;
beforeAll(() => {
  if (!missing) jinja = startJinja2();
});
afterAll(() => jinja?.close());

const STATE = JSON.stringify({
  state: 'closed',
  position: null,
  mode: 'manual',
  temperature: 21.5,
  on: true,
});
const payloadOf = (topic: string): string | undefined => (topic === 't' ? STATE : undefined);
const problems = (cfg: ComponentConfig): Promise<string[]> =>
  stateTemplateProblems('x', cfg, payloadOf, jinja);

describe.skipIf(missing !== undefined)(`HA state rules${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('accepts what HA accepts', async () => {
    expect(
      await problems({
        p: 'sensor',
        state_topic: 't',
        value_template: '{{ value_json.temperature }}',
        unit_of_measurement: '°C',
      }),
    ).toEqual([]);
    expect(
      await problems({ p: 'cover', state_topic: 't', value_template: '{{ value_json.state }}' }),
    ).toEqual([]);
    // What the Energy dashboard takes, and a duration that goes back to 0 every day.
    for (const [deviceClass, unit] of [
      ['energy', 'kWh'],
      ['duration', 'min'],
    ])
      expect(
        await problems({
          p: 'sensor',
          state_topic: 't',
          value_template: '{{ value_json.temperature }}',
          device_class: deviceClass,
          unit_of_measurement: unit,
          state_class: 'total_increasing',
        }),
      ).toEqual([]);
    // A null position rendered empty is ignored by HA.
    expect(
      await problems({
        p: 'cover',
        position_topic: 't',
        position_template: "{{ value_json.position if value_json.position is not none else '' }}",
      }),
    ).toEqual([]);
  });

  it('refuses what HA refuses', async () => {
    const refused = async (cfg: ComponentConfig): Promise<string> => (await problems(cfg)).join('\n');
    // A null position printed as None: HA warns "Payload 'None' is not numeric".
    expect(
      await refused({ p: 'cover', position_topic: 't', position_template: '{{ value_json.position }}' }),
    ).toMatch(/not numeric/);
    expect(
      await refused({ p: 'cover', state_topic: 't', value_template: '{{ value_json.state | upper }}' }),
    ).toMatch(/CLOSED/);
    expect(
      await refused({
        p: 'binary_sensor',
        state_topic: 't',
        value_template: "{{ 'on' if value_json.on else 'off' }}",
      }),
    ).toMatch(/'on' is not one of/);
    // An undefined name renders empty in Jinja2; HA logs it, and so does this check.
    expect(
      await refused({ p: 'sensor', state_topic: 't', value_template: '{{ value_json.nope }}x' }),
    ).toMatch(/undefined/);
    expect(
      await refused({
        p: 'climate',
        modes: ['auto', 'heat'],
        mode_state_topic: 't',
        mode_state_template: '{{ value_json.mode }}',
      }),
    ).toMatch(/'manual' is not one of/);
    expect(
      await refused({
        p: 'sensor',
        state_topic: 't',
        value_template: '{{ value_json.mode }}',
        state_class: 'measurement',
      }),
    ).toMatch(/not a number/);
    expect(await refused({ p: 'sensor', state_topic: 't', value_template: '{{ value_json.state' })).toMatch(
      /TemplateSyntaxError/,
    );
    expect(await refused({ p: 'sensor', state_topic: 't', icon_template: '{{ 1 }}' })).toMatch(/no HA rule/);
    // HA's sensor/const.py: energy is a total, and counted in units of energy.
    const energy = { p: 'sensor', state_topic: 't', value_template: '{{ value_json.temperature }}' };
    expect(
      await refused({
        ...energy,
        device_class: 'energy',
        unit_of_measurement: 'kWh',
        state_class: 'measurement',
      }),
    ).toMatch(/state class measurement is impossible for device class energy/);
    expect(
      await refused({ ...energy, device_class: 'energy', unit_of_measurement: 'W', state_class: 'total' }),
    ).toMatch(/unit W is not one of energy's/);
    expect(await refused({ ...energy, device_class: 'kinetic' })).toMatch(
      /no HA rule for sensor device class/,
    );
    // An image's URL must be one; a trigger's event topic holds nothing until an event comes.
    expect(await refused({ p: 'image', url_topic: 't', url_template: '{{ value_json.state }}' })).toMatch(
      /not an absolute http\(s\) URL/,
    );
    expect(
      await problems({
        p: 'device_automation',
        topic: 'events',
        value_template: '{{ value_json.event_type }}',
      }),
    ).toEqual([]);
    expect(
      await availabilityProblems(
        'x',
        [{ topic: 't', value_template: '{{ value_json.state }}' }],
        payloadOf,
        jinja,
      ),
    ).toEqual(["x availability t: 'closed' is neither online nor offline"]);
  });
});
