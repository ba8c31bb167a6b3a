/**
 * What Home Assistant's MQTT platforms accept from a state template, per platform and template
 * (homeassistant/components/mqtt/{sensor,binary_sensor,switch,select,climate,cover,fan,
 * light/schema_json}.py and its availability handling): each state template of a discovered
 * component is rendered by real Jinja2 against the payload the bridge retained on its topic,
 * the way HA renders it (`value` = the payload, `value_json` = the payload parsed), and the
 * result is checked against what that platform does with it. A template key this file has no
 * rule for is a problem too, so a new template cannot go unchecked.
 *
 * "None" is HA's PAYLOAD_NONE (unknown) where the platform handles it; an empty result is what
 * HA ignores with a debug line where the platform does that, and a problem elsewhere.
 */
import type { Jinja2 } from '../support/jinja2.js';

export type ComponentConfig = Record<string, unknown> & { p: string };

/** Why HA would not take `result`, or undefined when it would. */
type Rule = (result: string, cfg: ComponentConfig) => string | undefined;

const NONE = 'None';
const HVAC_ACTIONS = ['off', 'preheating', 'heating', 'cooling', 'drying', 'idle', 'fan', 'defrosting'];
const COVER_STATES = ['open', 'opening', 'closed', 'closing', 'stopped'];
/** Sensor device classes whose state must be a number (HA's SensorDeviceClass minus enum/date/timestamp). */
const NON_NUMERIC_CLASSES = new Set(['enum', 'date', 'timestamp']);

const isNumber = (text: string): boolean => text.trim() !== '' && Number.isFinite(Number(text));

const oneOf =
  (allowed: (cfg: ComponentConfig) => unknown[], what: string): Rule =>
  (result, cfg) =>
    allowed(cfg).includes(result)
      ? undefined
      : `${what}: '${result}' is not one of ${JSON.stringify(allowed(cfg))}`;

const listOf = (cfg: ComponentConfig, key: string): unknown[] => (Array.isArray(cfg[key]) ? cfg[key] : []);

/** HA's climate float attributes: a number, None (unknown), or empty (ignored). */
const climateNumber: Rule = (result) =>
  result === '' || result === NONE || isNumber(result) ? undefined : `'${result}' is not a number`;

const sensorValue: Rule = (result, cfg) => {
  if (result === NONE) return undefined;
  if (result === '') return 'empty sensor state';
  const deviceClass = typeof cfg.device_class === 'string' ? cfg.device_class : undefined;
  if (deviceClass === 'enum') return oneOf((c) => listOf(c, 'options'), 'enum sensor')(result, cfg);
  if (deviceClass === 'timestamp')
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(result)
      ? undefined
      : `'${result}' is not an ISO 8601 time with a zone`;
  const numeric =
    cfg.unit_of_measurement !== undefined ||
    cfg.state_class !== undefined ||
    (deviceClass !== undefined && !NON_NUMERIC_CLASSES.has(deviceClass));
  if (numeric && !isNumber(result)) return `numeric sensor state '${result}' is not a number`;
  return result.length > 255 ? 'state longer than 255 characters' : undefined;
};

const coverPosition: Rule = (result, cfg) => {
  if (result === '') return undefined; // HA: "Ignoring empty position message"
  if (!isNumber(result)) return `position '${result}' is not numeric (HA warns and drops it)`;
  const closed = typeof cfg.position_closed === 'number' ? cfg.position_closed : 0;
  const open = typeof cfg.position_open === 'number' ? cfg.position_open : 100;
  const n = Number(result);
  return n >= Math.min(open, closed) && n <= Math.max(open, closed)
    ? undefined
    : `position ${n} is outside ${closed}..${open}`;
};

const fanPercentage: Rule = (result, cfg) => {
  if (result === '' || result === NONE) return undefined;
  const speed = Number(result);
  if (!/^-?\d+$/.test(result)) return `speed '${result}' is not an integer (HA int())`;
  const min = typeof cfg.speed_range_min === 'number' ? cfg.speed_range_min : 1;
  const max = typeof cfg.speed_range_max === 'number' ? cfg.speed_range_max : 100;
  return speed === 0 || (speed >= min && speed <= max)
    ? undefined
    : `speed ${speed} is outside ${min}..${max}`;
};

const ALL_STATE_CLASSES = ['measurement', 'total', 'total_increasing'];
/**
 * Home Assistant's sensor/const.py `DEVICE_CLASS_UNITS` and `DEVICE_CLASS_STATE_CLASSES`,
 * transcribed for the device classes the bridge announces (HA logs a unit or state class
 * outside these as impossible and leaves the sensor out of statistics). `enum` and `timestamp`
 * take no unit and no state class.
 */
const SENSOR_CLASSES: Record<string, { units: string[]; stateClasses: string[] }> = {
  atmospheric_pressure: {
    units: ['cbar', 'bar', 'hPa', 'mmHg', 'inHg', 'inH2O', 'kPa', 'mbar', 'Pa', 'psi'],
    stateClasses: ['measurement'],
  },
  battery: { units: ['%'], stateClasses: ['measurement'] },
  carbon_dioxide: { units: ['ppm'], stateClasses: ['measurement'] },
  duration: { units: ['d', 'h', 'min', 's', 'ms', 'μs'], stateClasses: ALL_STATE_CLASSES },
  energy: {
    units: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
    stateClasses: ['total', 'total_increasing'],
  },
  humidity: { units: ['%'], stateClasses: ['measurement'] },
  illuminance: { units: ['lx'], stateClasses: ['measurement'] },
  power: { units: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'], stateClasses: ['measurement'] },
  precipitation: { units: ['cm', 'in', 'mm'], stateClasses: ALL_STATE_CLASSES },
  sound_pressure: { units: ['dB', 'dBA'], stateClasses: ['measurement'] },
  temperature: { units: ['°C', '°F', 'K'], stateClasses: ['measurement'] },
  voltage: { units: ['V', 'mV', 'μV', 'kV', 'MV'], stateClasses: ['measurement'] },
  wind_speed: {
    units: ['Beaufort', 'ft/s', 'in/d', 'in/h', 'in/s', 'km/h', 'kn', 'm/s', 'mph', 'mm/d', 'mm/s'],
    stateClasses: ['measurement'],
  },
  enum: { units: [], stateClasses: [] },
  timestamp: { units: [], stateClasses: [] },
};

/** What HA's sensor platform says about a sensor's device class, unit and state class. */
function sensorClassProblems(name: string, cfg: ComponentConfig): string[] {
  const deviceClass = cfg.device_class;
  if (deviceClass === undefined) return [];
  const rule = SENSOR_CLASSES[String(deviceClass)];
  if (!rule) return [`${name}: no HA rule for sensor device class ${String(deviceClass)}`];
  const problems: string[] = [];
  const unit = cfg.unit_of_measurement;
  if (unit !== undefined && !rule.units.includes(String(unit)))
    problems.push(
      `${name}: unit ${String(unit)} is not one of ${deviceClass}'s ${JSON.stringify(rule.units)}`,
    );
  const stateClass = cfg.state_class;
  if (stateClass !== undefined && !rule.stateClasses.includes(String(stateClass)))
    problems.push(`${name}: state class ${String(stateClass)} is impossible for device class ${deviceClass}`);
  return problems;
}

/** Per platform: state template key → [its topic key, rule]. */
const RULES: Record<string, Record<string, [string, Rule]>> = {
  sensor: { value_template: ['state_topic', sensorValue] },
  binary_sensor: {
    value_template: [
      'state_topic',
      (result, cfg) =>
        result === ''
          ? 'empty binary_sensor state'
          : oneOf((c) => [c.payload_on ?? 'ON', c.payload_off ?? 'OFF', NONE], 'binary_sensor')(result, cfg),
    ],
  },
  switch: {
    value_template: [
      'state_topic',
      oneOf(
        (c) => [c.state_on ?? c.payload_on ?? 'ON', c.state_off ?? c.payload_off ?? 'OFF', NONE],
        'switch',
      ),
    ],
  },
  select: {
    value_template: [
      'state_topic',
      (result, cfg) =>
        result.toLowerCase() === 'none'
          ? undefined
          : oneOf((c) => listOf(c, 'options'), 'select')(result, cfg),
    ],
  },
  climate: {
    current_temperature_template: ['current_temperature_topic', climateNumber],
    temperature_state_template: ['temperature_state_topic', climateNumber],
    mode_state_template: ['mode_state_topic', oneOf((c) => listOf(c, 'modes'), 'climate mode')],
    preset_mode_value_template: [
      'preset_mode_state_topic',
      (result, cfg) =>
        ['', 'none', NONE].includes(result)
          ? undefined
          : oneOf((c) => listOf(c, 'preset_modes'), 'climate preset')(result, cfg),
    ],
    action_template: [
      'action_topic',
      (result) =>
        result === '' || result === NONE || HVAC_ACTIONS.includes(result)
          ? undefined
          : `'${result}' is not an HVAC action`,
    ],
  },
  cover: {
    value_template: ['state_topic', oneOf(() => [...COVER_STATES, NONE], 'cover state')],
    position_template: ['position_topic', coverPosition],
  },
  image: {
    url_template: [
      'url_topic',
      (result) =>
        /^https?:\/\/\S+$/.test(result)
          ? undefined
          : `'${result}' is not an absolute http(s) URL (HA's image platform shows nothing)`,
    ],
  },
  // A device trigger fires when its template renders the trigger's `payload` (mqtt/device_trigger.py):
  // whatever an event renders must be an event type, never empty or None.
  device_automation: {
    value_template: [
      'topic',
      (result) => (result === '' || result === NONE ? `a trigger template rendered '${result}'` : undefined),
    ],
  },
  fan: {
    state_value_template: [
      'state_topic',
      oneOf((c) => [c.payload_on ?? 'ON', c.payload_off ?? 'OFF', NONE], 'fan'),
    ],
    percentage_value_template: ['percentage_state_topic', fanPercentage],
  },
};

/**
 * Platforms whose topic may hold nothing yet, and HA shows nothing until it does: device
 * triggers (events are not retained) and a camera's last snapshot (none before its first event).
 */
const MAYBE_EMPTY_PLATFORMS = new Set(['device_automation', 'image']);

/** Templates HA renders to publish, not to read state (see ha-commands.ts). */
const COMMAND_TEMPLATE = /(^command_template|_command_template|^set_position_template)$/;

/** HA's render of a state template: `value` is the payload, `value_json` the payload parsed. */
async function renderState(
  jinja: Jinja2,
  template: string,
  payload: string,
): Promise<string | { error: string }> {
  const variables: Record<string, unknown> = { value: payload };
  try {
    variables.value_json = JSON.parse(payload);
  } catch {
    // HA leaves value_json undefined for a payload that is not JSON.
  }
  const rendered = await jinja.render(template, variables);
  if (!rendered.ok) return { error: rendered.error };
  if (rendered.warnings.length > 0)
    return { error: `undefined in template: ${rendered.warnings.join('; ')}` };
  return rendered.result;
}

/** A JSON-schema light reads `state` and `brightness` straight from the state JSON. */
function jsonLightProblem(cfg: ComponentConfig, payload: string): string | undefined {
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return 'state payload is not JSON';
  }
  if (!('state' in values)) return 'state JSON has no "state" (HA reads values["state"])';
  if (!['ON', 'OFF', null].includes(values.state as string | null)) return `state ${String(values.state)}`;
  if (cfg.brightness === true && values.brightness) {
    const scale = typeof cfg.brightness_scale === 'number' ? cfg.brightness_scale : 255;
    if (typeof values.brightness !== 'number' || values.brightness < 0 || values.brightness > scale)
      return `brightness ${String(values.brightness)} is not within 0..${scale}`;
  }
  return undefined;
}

/**
 * Every problem HA would have with the state side of component `name`: each state template
 * rendered against the payload retained on its topic (`payloadOf`), and a sensor's device
 * class, unit and state class.
 */
export async function stateTemplateProblems(
  name: string,
  cfg: ComponentConfig,
  payloadOf: (topic: string) => string | undefined,
  jinja: Jinja2,
): Promise<string[]> {
  const problems: string[] = cfg.p === 'sensor' ? sensorClassProblems(name, cfg) : [];
  const rules = RULES[cfg.p] ?? {};
  for (const key of Object.keys(cfg).filter((k) => k.endsWith('_template') && !COMMAND_TEMPLATE.test(k))) {
    const rule = rules[key];
    if (!rule) {
      problems.push(`${name}.${key}: no HA rule for this ${cfg.p} template`);
      continue;
    }
    const [topicKey, check] = rule;
    const topic = cfg[topicKey];
    const payload = typeof topic === 'string' ? payloadOf(topic) : undefined;
    if (payload === undefined) {
      if (!MAYBE_EMPTY_PLATFORMS.has(cfg.p))
        problems.push(`${name}.${key}: nothing retained on its ${topicKey} ${String(topic)}`);
      continue;
    }
    const result = await renderState(jinja, String(cfg[key]), payload);
    const problem = typeof result === 'string' ? check(result, cfg) : result.error;
    if (problem) problems.push(`${name}.${key} ${String(cfg[key])} → ${problem}`);
  }
  if (cfg.p === 'light' && typeof cfg.state_topic === 'string') {
    const payload = payloadOf(cfg.state_topic);
    const problem =
      payload === undefined ? 'nothing retained on its state_topic' : jsonLightProblem(cfg, payload);
    if (problem) problems.push(`${name} (json light): ${problem}`);
  }
  return problems;
}

/** HA's availability: each topic's template must give payload_available or payload_not_available. */
export async function availabilityProblems(
  name: string,
  availability: Array<{ topic: string; value_template?: string }>,
  payloadOf: (topic: string) => string | undefined,
  jinja: Jinja2,
): Promise<string[]> {
  const problems: string[] = [];
  for (const { topic, value_template: template } of availability) {
    const payload = payloadOf(topic);
    if (payload === undefined) {
      problems.push(`${name} availability: nothing retained on ${topic}`);
      continue;
    }
    const result = template === undefined ? payload : await renderState(jinja, template, payload);
    if (typeof result !== 'string') problems.push(`${name} availability ${topic}: ${result.error}`);
    else if (!['online', 'offline'].includes(result))
      problems.push(`${name} availability ${topic}: '${result}' is neither online nor offline`);
  }
  return problems;
}
