/**
 * Shutters, blinds and garage doors: a position 0..100 (100 = open) and open/close/stop, plus
 * the shutter's preferred ("my") position where the device has one. Netatmo takes all of them as
 * one `setstate` field, `target_position`: 100 open, 0 closed, -1 stop, -2 preferred position.
 */
import type { ComponentConfig } from '../../mqtt/topics.js';
import { diagnostics } from '../capability.js';
import { moduleAction, moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { DeviceState } from '../types.js';

const LEGRAND = 'Legrand';
const BUBENDORFF = 'Bubendorff';

export const COVER_STATES = ['open', 'opening', 'closed', 'closing', 'stopped'] as const;
const TARGETS: Record<string, number> = { OPEN: 100, CLOSE: 0, STOP: -1, PREFERRED: -2 };

interface CoverOptions {
  /** Home Assistant's device class; default `shutter`. */
  deviceClass?: 'blind' | 'garage';
  /** Has a preferred position (`target_position: -2`); a garage door has open and closed only. */
  preferred?: true;
}

function coverState(current: number | null, target: number | null): string | null {
  if (current === null) return target === null ? null : target > 0 ? 'open' : 'closed';
  if (target !== null && target >= 0 && target !== current) return target > current ? 'opening' : 'closing';
  return current > 0 ? 'open' : 'closed';
}

export const cover = moduleFamily<CoverOptions>({
  id: 'cover',
  kind: 'shutter',
  commandKeys: ['state', 'position'],
  // biome-ignore format: one line per type
  types: {
    NLV: { model: 'Roller Shutter Switch', vendor: LEGRAND, preferred: true },
    NLLV: { model: 'Roller Shutter Switch with Level', vendor: LEGRAND, preferred: true },
    NLLM: { model: 'Roller Shutter Micro Module', vendor: LEGRAND, preferred: true },
    NLJ: { model: 'Garage Door Opener', vendor: LEGRAND, deviceClass: 'garage' },
    Z3V: { model: 'Zigbee 3 Shutter', vendor: LEGRAND, preferred: true },
    NBR: { model: 'Roller Shutter', vendor: BUBENDORFF, rf: true, preferred: true },
    NBO: { model: 'Orientable Shutter', vendor: BUBENDORFF, rf: true, deviceClass: 'blind', preferred: true },
    NBS: { model: 'Swing Shutter', vendor: BUBENDORFF, rf: true, preferred: true },
    TPSRS: { model: 'io Roller Shutter', vendor: 'Somfy', preferred: true },
  },
  capabilities: ({ entry, reported }) => [
    {
      key: 'state',
      kind: 'enum',
      component: 'cover',
      deviceClass: entry.deviceClass ?? 'shutter',
      options: [...COVER_STATES],
      writable: {
        options: entry.preferred ? ['OPEN', 'CLOSE', 'STOP', 'PREFERRED'] : ['OPEN', 'CLOSE', 'STOP'],
      },
    },
    {
      key: 'position',
      kind: 'number',
      component: 'cover',
      unit: '%',
      writable: { min: 0, max: 100, step: 1 },
    },
    ...diagnostics(entry, reported),
  ],
  state: (m) => {
    const current = num(m.current_position);
    const target = num(m.target_position);
    const state: DeviceState = {
      position: current ?? (target !== null && target >= 0 ? target : null),
      state: coverState(current, target),
    };
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
    // A moving shutter reports positions in transit: the next poll cannot confirm the target.
    return { actions: [action], expected, confirmable: [] };
  },
  components(kit, caps) {
    const t = kit.stateTopic;
    const state = caps.get('state');
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
        position_topic: t,
        position_template: kit.value('position'),
        set_position_topic: kit.commandTopic('position'),
        set_position_template: '{{ position }}',
        position_open: 100,
        position_closed: 0,
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
