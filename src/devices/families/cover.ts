/**
 * Shutters, blinds, awnings, garage doors and VELUX window openers: a position 0..100 (100 =
 * open) and open/close/stop, plus the preferred ("my") position where the device has one.
 * Netatmo takes all of them as one `setstate` field, `target_position`: 100 open, 0 closed,
 * -1 stop, -2 preferred position.
 *
 * What a cover can do comes from its data: `target_position:step` (pyatmo reads this spelling)
 * is the grid of positions it accepts — published as `position_step` (a diagnostic sensor), it
 * becomes the step of the position command (positions are rounded to it and the answer says so), and a step of 100 means
 * open, close and stop only (no position slider in Home Assistant). A BTicino MyHome Server 1
 * actor has no preferred position, and with a step of 100 (or none) no position sensor either:
 * its `current_position` echoes the last command (101 = never instructed), so it reports no
 * position (pyatmo `bticino.py`). A step that changes later (an actor calibrated since) is read
 * at the next topology poll.
 */
import type { ComponentConfig } from '../../mqtt/topics.js';
import { diagnostics } from '../capability.js';
import { moduleAction, moduleFamily, type Reported, type TypeEntry } from '../family.js';
import { num } from '../normalize.js';
import type { Capability, Device, DeviceState } from '../types.js';

const LEGRAND = 'Legrand';
const BUBENDORFF = 'Bubendorff';
const BTICINO = 'BTicino';

export const COVER_STATES = ['open', 'opening', 'closed', 'closing', 'stopped'] as const;
const TARGETS: Record<string, number> = { OPEN: 100, CLOSE: 0, STOP: -1, PREFERRED: -2 };
/** A step of 100: the cover only opens, closes and stops. */
export const OPEN_CLOSE_ONLY = 100;
/** The state key `target_position:step` is published as. */
const STEP_KEY = 'position_step';

type DeviceClass = 'shutter' | 'blind' | 'garage' | 'shade' | 'awning' | 'window';

interface CoverOptions {
  /** Home Assistant's device class; default `shutter`. */
  deviceClass?: DeviceClass;
  /** Has a preferred position (`target_position: -2`); a garage door has open and closed only. */
  preferred?: true;
  /** VELUX ACTIVE opener: the device class follows its `velux_type` (window, blind, awning, shutter). */
  velux?: true;
  /** BTicino MyHome Server 1 actor: positions only when calibrated (step below 100). */
  myHome?: true;
}

// biome-ignore format: one line per type
const TYPES: Readonly<Record<string, TypeEntry & CoverOptions>> = {
  NLV: { model: 'Roller Shutter Switch', vendor: LEGRAND, preferred: true },
  NLLV: { model: 'Roller Shutter Switch with Level', vendor: LEGRAND, preferred: true },
  NLLM: { model: 'Roller Shutter Micro Module', vendor: LEGRAND, preferred: true },
  NLJ: { model: 'Garage Door Opener', vendor: LEGRAND, deviceClass: 'garage' },
  Z3V: { model: 'Zigbee 3 Shutter', vendor: LEGRAND, preferred: true },
  NBR: { model: 'Roller Shutter', vendor: BUBENDORFF, rf: true, preferred: true },
  NBO: { model: 'Orientable Shutter', vendor: BUBENDORFF, rf: true, deviceClass: 'blind', preferred: true },
  NBS: { model: 'Swing Shutter', vendor: BUBENDORFF, rf: true, preferred: true },
  TPSRS: { model: 'io Roller Shutter', vendor: 'Somfy', preferred: true },
  BNAS: { model: 'Automatic Shutter', vendor: BTICINO, myHome: true },
  BNAB: { model: 'Automatic Blind', vendor: BTICINO, deviceClass: 'blind', myHome: true },
  BNMS: { model: 'Motorized Shade', vendor: BTICINO, deviceClass: 'shade', myHome: true },
  NXO: { model: 'ACTIVE Opener', vendor: 'VELUX', velux: true },
};

/** VELUX `velux_type` → Home Assistant device class (pyatmo fixtures: `awning_blind`, `blind`). */
function veluxClass(type: unknown): DeviceClass {
  const t = typeof type === 'string' ? type : '';
  if (t.includes('awning')) return 'awning';
  if (t.includes('blind')) return 'blind';
  if (t.includes('shutter')) return 'shutter';
  return 'window';
}

function stepOf(reported: Reported): number | undefined {
  const step = reported.get(STEP_KEY);
  return typeof step === 'number' && step > 0 ? step : undefined;
}

/** Whether the cover reports a real position (a MyHome actor only when calibrated). */
function reportsPosition(entry: CoverOptions, step: number | undefined): boolean {
  return !entry.myHome || (step !== undefined && step < OPEN_CLOSE_ONLY);
}

function coverState(current: number | null, target: number | null): string | null {
  if (current === null) return target === null ? null : target > 0 ? 'open' : 'closed';
  if (target !== null && target >= 0 && target !== current) return target > current ? 'opening' : 'closing';
  return current > 0 ? 'open' : 'closed';
}

/** A MyHome actor without a position sensor echoes its last command: 0 closed, 1..100 open, 101 never told. */
function echoedState(echo: number | null): string | null {
  if (echo === null || echo > 100) return null;
  return echo > 0 ? 'open' : 'closed';
}

function entryOf(device: Device): TypeEntry & CoverOptions {
  return TYPES[device.type] ?? { model: device.model, vendor: device.manufacturer };
}

export const cover = moduleFamily<CoverOptions>({
  id: 'cover',
  kind: 'shutter',
  commandKeys: ['state', 'position'],
  dataKeys: [STEP_KEY],
  types: TYPES,
  capabilities: ({ entry, reported, attributes }) => {
    const step = stepOf(reported);
    const deviceClass = entry.velux ? veluxClass(attributes?.velux_type) : (entry.deviceClass ?? 'shutter');
    const caps: Capability[] = [
      {
        key: 'state',
        kind: 'enum',
        component: 'cover',
        deviceClass,
        options: [...COVER_STATES],
        writable: {
          options: entry.preferred ? ['OPEN', 'CLOSE', 'STOP', 'PREFERRED'] : ['OPEN', 'CLOSE', 'STOP'],
        },
      },
    ];
    // The step itself, once known, is a diagnostic: it tells why a cover has no slider.
    if (step !== undefined)
      caps.push({
        key: STEP_KEY,
        name: 'Position step',
        kind: 'number',
        component: 'sensor',
        unit: '%',
        category: 'diagnostic',
      });
    if (reportsPosition(entry, step)) {
      caps.push({
        key: 'position',
        kind: 'number',
        component: 'cover',
        unit: '%',
        writable: { min: 0, max: 100, step: step ?? 1 },
      });
    }
    return [...caps, ...diagnostics(entry, reported)];
  },
  state: (m, device) => {
    const current = num(m.current_position);
    const target = num(m.target_position);
    const state: DeviceState = {};
    const step = num(m['target_position:step']);
    if (step !== null) state[STEP_KEY] = step;
    if (!reportsPosition(entryOf(device), step ?? undefined)) {
      state.state = echoedState(current);
      return state;
    }
    state.position = current ?? (target !== null && target >= 0 ? target : null);
    state.state = coverState(current, target);
    return state;
  },
  encode({ device, values }, state) {
    const target = typeof values.position === 'number' ? values.position : TARGETS[String(values.state)];
    if (target === undefined) return { error: `cannot move ${device.id} to ${String(values.state)}` };
    const action = moduleAction(device, { target_position: target });
    if ('error' in action) return action;
    const expected: DeviceState = {};
    const current = state?.position;
    if (target === -1) expected.state = 'stopped';
    else if (target >= 0 && typeof current === 'number' && target !== current)
      expected.state = target > current ? 'opening' : 'closing';
    else if (target >= 0 && !('position' in (state ?? {}))) expected.state = target > 0 ? 'open' : 'closed';
    // A moving shutter reports positions in transit: the next poll cannot confirm the target.
    return { actions: [action], expected, confirmable: [] };
  },
  components(kit, caps) {
    const t = kit.stateTopic;
    const state = caps.get('state');
    const position = caps.get('position');
    const step = position?.writable?.step ?? 1;
    const cmps: Record<string, ComponentConfig> = {
      cover: {
        p: 'cover',
        ...kit.common('cover'),
        ...(state?.deviceClass ? { device_class: state.deviceClass } : {}),
        command_topic: kit.commandTopic('state'),
        payload_open: 'OPEN',
        payload_close: 'CLOSE',
        payload_stop: 'STOP',
        state_topic: t,
        value_template: kit.value('state'),
        ...(position
          ? {
              position_topic: t,
              // HA drops a position that is not a number with a warning, and ignores an empty one.
              position_template: "{{ value_json.position if value_json.position is not none else '' }}",
              position_open: 100,
              position_closed: 0,
            }
          : {}),
        // A step of 100 opens and closes only: Home Assistant then shows no position slider.
        ...(position && step < OPEN_CLOSE_ONLY
          ? { set_position_topic: kit.commandTopic('position'), set_position_template: '{{ position }}' }
          : {}),
      },
    };
    // HA's cover has no "preferred position": a button sends it (as HA's own Netatmo integration does).
    if (state?.writable?.options?.includes('PREFERRED')) {
      cmps.preferred_position = {
        p: 'button',
        ...kit.common('preferred_position'),
        name: 'Preferred position',
        icon: 'mdi:window-shutter-settings',
        command_topic: kit.commandTopic('state'),
        payload_press: 'PREFERRED',
      };
    }
    return cmps;
  },
});
