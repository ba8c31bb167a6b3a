/**
 * Every MQTT message Home Assistant can publish for one discovered component, derived from the
 * component's config the way HA's MQTT platforms build their commands (homeassistant/components/
 * mqtt/{switch,select,button,climate,cover,light/schema_json,fan}.py): payloads, command
 * templates rendered by real Jinja2 with the variables HA passes, value ranges and steps. A
 * command-bearing key this file does not know throws, so a new discovery feature cannot slip
 * past the acceptance test unrendered.
 */
import type { Jinja2 } from '../support/jinja2.js';

type Value = string | number;

export type ComponentConfig = Record<string, unknown> & { p: string };

export interface HaCommand {
  /** `<component key>.<config field>`, for failure messages. */
  source: string;
  topic: string;
  payload: string;
}

/** Config keys that make HA publish something (besides those handled per platform below). */
const COMMAND_KEY = /(_command_topic|^command_topic|^set_position_topic)$/;

/**
 * HA's MqttCommandTemplate: the template rendered with `value` (+ the platform's variables), or
 * the value itself when there is none. A template that fails or reads an undefined name throws.
 */
async function command(
  jinja: Jinja2,
  cfg: ComponentConfig,
  templateKey: string,
  value: Value,
  extra: Record<string, Value> = {},
): Promise<string> {
  const template = cfg[templateKey];
  if (typeof template !== 'string') return String(value);
  const rendered = await jinja.render(template, { value, ...extra });
  if (!rendered.ok) throw new Error(`${templateKey} ${template} with ${value}: ${rendered.error}`);
  if (rendered.warnings.length > 0)
    throw new Error(`${templateKey} ${template} with ${value}: ${rendered.warnings.join('; ')}`);
  return rendered.result;
}

/** Python's str() of a float (HA publishes climate temperatures as floats: 22 → "22.0"). */
function pythonFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function range(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; min + i * step <= max + 1e-9; i++) out.push(Math.round((min + i * step) * 1000) / 1000);
  return out;
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`${what} must be a list of strings`);
  }
  return value;
}

function num(cfg: ComponentConfig, key: string, fallback: number): number {
  const value = cfg[key];
  return typeof value === 'number' ? value : fallback;
}

/** Every (topic, payload) HA can send for component `name` with config `cfg`. */
export async function homeAssistantCommands(
  name: string,
  cfg: ComponentConfig,
  jinja: Jinja2,
): Promise<HaCommand[]> {
  const out: HaCommand[] = [];
  const handled = new Set<string>();
  const emit = (field: string, payloads: string[]): void => {
    const topic = cfg[field];
    if (typeof topic !== 'string') return;
    handled.add(field);
    for (const payload of payloads) out.push({ source: `${name}.${field}`, topic, payload });
  };
  const all = (values: Value[], templateKey: string, extra?: (v: Value) => Record<string, Value>) =>
    Promise.all(values.map((v) => command(jinja, cfg, templateKey, v, extra?.(v))));

  switch (cfg.p) {
    case 'switch':
      emit(
        'command_topic',
        await all([String(cfg.payload_on ?? 'ON'), String(cfg.payload_off ?? 'OFF')], 'command_template'),
      );
      break;
    case 'select':
      emit('command_topic', await all(strings(cfg.options, `${name}.options`), 'command_template'));
      break;
    case 'button':
      emit('command_topic', await all([String(cfg.payload_press ?? 'PRESS')], 'command_template'));
      break;
    case 'climate': {
      // The UI steps by temp_step from min_temp; an automation may send any value in range
      // (HA does not round set_temperature to temp_step): one such value is sent too.
      const min = num(cfg, 'min_temp', 7);
      const max = num(cfg, 'max_temp', 35);
      const temps = range(min, max, num(cfg, 'temp_step', 1));
      const automation = Math.round(((min + max) / 2 + 0.4) * 10) / 10;
      emit(
        'temperature_command_topic',
        typeof cfg.temperature_command_template === 'string'
          ? await all([...temps, automation], 'temperature_command_template')
          : [...temps, automation].map(pythonFloat),
      );
      emit('mode_command_topic', await all(strings(cfg.modes, `${name}.modes`), 'mode_command_template'));
      // HA adds the preset "none" to every climate with presets.
      const presets = ['none', ...strings(cfg.preset_modes ?? [], `${name}.preset_modes`)];
      emit('preset_mode_command_topic', await all(presets, 'preset_mode_command_template'));
      break;
    }
    case 'cover': {
      emit(
        'command_topic',
        ['payload_open', 'payload_close', 'payload_stop']
          .filter((k) => cfg[k] !== null)
          .map((k) => String(cfg[k] ?? k.slice('payload_'.length).toUpperCase())),
      );
      const open = num(cfg, 'position_open', 100);
      const closed = num(cfg, 'position_closed', 0);
      if (typeof cfg.set_position_topic === 'string') {
        // HA renders set_position_template with the ranged position as `value` and the percentage as `position`.
        const percents = range(0, 100, 1);
        emit(
          'set_position_topic',
          await Promise.all(
            percents.map((percent) =>
              command(
                jinja,
                cfg,
                'set_position_template',
                Math.round(closed + ((open - closed) * percent) / 100),
                {
                  position: percent,
                  position_open: open,
                  position_closed: closed,
                  tilt_min: 0,
                  tilt_max: 100,
                },
              ),
            ),
          ),
        );
      }
      break;
    }
    case 'light': {
      if (cfg.schema !== 'json') throw new Error(`${name}: only JSON-schema lights are rendered`);
      const payloads = [JSON.stringify({ state: 'ON' }), JSON.stringify({ state: 'OFF' })];
      if (cfg.brightness === true) {
        // HA scales 1..255 to 1..brightness_scale and never sends 0 (that is "OFF").
        const scale = num(cfg, 'brightness_scale', 255);
        for (const b of range(1, scale, 1)) payloads.push(JSON.stringify({ state: 'ON', brightness: b }));
      }
      // Transition and flash are HA features of JSON lights unless the config turns them off.
      if (cfg.transition !== false) payloads.push(JSON.stringify({ state: 'ON', transition: 1.5 }));
      if (cfg.flash !== false) payloads.push(JSON.stringify({ state: 'ON', flash: 2 }));
      emit('command_topic', payloads);
      break;
    }
    case 'fan': {
      emit(
        'command_topic',
        await all([String(cfg.payload_on ?? 'ON'), String(cfg.payload_off ?? 'OFF')], 'command_template'),
      );
      // percentage 0..100 → ceil(speed within speed_range); 0 % gives 0 (HA's set_percentage(0)).
      const min = num(cfg, 'speed_range_min', 1);
      const max = num(cfg, 'speed_range_max', 100);
      const speeds = new Set<number>();
      for (let percent = 0; percent <= 100; percent++) {
        speeds.add(Math.ceil(((max - min + 1) * percent) / 100));
      }
      emit('percentage_command_topic', await all([...speeds], 'percentage_command_template'));
      break;
    }
    default:
      break;
  }
  const unknown = Object.keys(cfg).filter((k) => COMMAND_KEY.test(k) && !handled.has(k));
  if (unknown.length > 0)
    throw new Error(`${name} (${cfg.p}): no HA command model for ${unknown.join(', ')}`);
  return out;
}
