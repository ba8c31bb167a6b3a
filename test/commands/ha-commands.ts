/**
 * Every MQTT message Home Assistant can publish for one discovered component, derived from the
 * component's config the way HA's MQTT platforms build their commands (homeassistant/components/
 * mqtt/{switch,select,button,climate,cover,light/schema_json,fan}.py): payloads, command
 * templates and their variables, value ranges and steps. A command-bearing key this file does
 * not know throws, so a new discovery feature cannot slip past the acceptance test unrendered.
 */
import { type JinjaValue, renderTemplate } from './jinja.js';

export type ComponentConfig = Record<string, unknown> & { p: string };

export interface HaCommand {
  /** `<component key>.<config field>`, for failure messages. */
  source: string;
  topic: string;
  payload: string;
}

/** Config keys that make HA publish something (besides those handled per platform below). */
const COMMAND_KEY = /(_command_topic|^command_topic|^set_position_topic)$/;

/** HA's command template: the template rendered with `value` (+ extra variables), or the value itself. */
function command(
  cfg: ComponentConfig,
  templateKey: string,
  value: JinjaValue,
  extra: Record<string, JinjaValue> = {},
): string {
  const template = cfg[templateKey];
  if (typeof template === 'string') return renderTemplate(template, { value, ...extra });
  return typeof value === 'number' ? String(value) : String(value ?? '');
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
export function homeAssistantCommands(name: string, cfg: ComponentConfig): HaCommand[] {
  const out: HaCommand[] = [];
  const handled = new Set<string>();
  const emit = (field: string, payloads: string[]): void => {
    const topic = cfg[field];
    if (typeof topic !== 'string') return;
    handled.add(field);
    for (const payload of payloads) out.push({ source: `${name}.${field}`, topic, payload });
  };

  switch (cfg.p) {
    case 'switch':
      emit('command_topic', [
        command(cfg, 'command_template', String(cfg.payload_on ?? 'ON')),
        command(cfg, 'command_template', String(cfg.payload_off ?? 'OFF')),
      ]);
      break;
    case 'select':
      emit(
        'command_topic',
        strings(cfg.options, `${name}.options`).map((o) => command(cfg, 'command_template', o)),
      );
      break;
    case 'button':
      emit('command_topic', [command(cfg, 'command_template', String(cfg.payload_press ?? 'PRESS'))]);
      break;
    case 'climate': {
      // No template: HA publishes the float itself; the frontend steps by temp_step from min_temp.
      const temps = range(num(cfg, 'min_temp', 7), num(cfg, 'max_temp', 35), num(cfg, 'temp_step', 1));
      emit(
        'temperature_command_topic',
        temps.map((t) =>
          typeof cfg.temperature_command_template === 'string'
            ? command(cfg, 'temperature_command_template', t)
            : pythonFloat(t),
        ),
      );
      emit(
        'mode_command_topic',
        strings(cfg.modes, `${name}.modes`).map((m) => command(cfg, 'mode_command_template', m)),
      );
      // HA adds the preset "none" to every climate with presets.
      const presets = ['none', ...strings(cfg.preset_modes ?? [], `${name}.preset_modes`)];
      emit(
        'preset_mode_command_topic',
        presets.map((p) => command(cfg, 'preset_mode_command_template', p)),
      );
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
      emit(
        'set_position_topic',
        range(0, 100, 1).map((percent) => {
          const position = Math.round(closed + ((open - closed) * percent) / 100);
          return command(cfg, 'set_position_template', position, {
            position,
            position_open: open,
            position_closed: closed,
          });
        }),
      );
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
      emit('command_topic', payloads);
      break;
    }
    case 'fan': {
      emit('command_topic', [
        command(cfg, 'command_template', String(cfg.payload_on ?? 'ON')),
        command(cfg, 'command_template', String(cfg.payload_off ?? 'OFF')),
      ]);
      // percentage 0..100 → ceil(speed within speed_range); 0 % gives 0 (HA's set_percentage(0)).
      const min = num(cfg, 'speed_range_min', 1);
      const max = num(cfg, 'speed_range_max', 100);
      const speeds = new Set<number>();
      for (let percent = 0; percent <= 100; percent++) {
        speeds.add(Math.ceil(((max - min + 1) * percent) / 100));
      }
      emit(
        'percentage_command_topic',
        [...speeds].map((s) => command(cfg, 'percentage_command_template', s)),
      );
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
