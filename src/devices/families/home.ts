/**
 * A home with heating (or therm schedules) becomes a device of its own: its thermostat mode
 * (schedule, away, frost guard, off; `setthermmode`, with an end time for away and frost guard)
 * and its active therm schedule (`switchhomeschedule`, by name). A home whose cameras know
 * persons is one too, with an "Everybody away" button (`setpersonsaway` without a person: the
 * home is empty).
 */
import type { ComponentConfig } from '../../mqtt/topics.js';
import type { HomeTopology } from '../../netatmo/api-types.js';
import { hasCapability } from '../capability.js';
import type { NetatmoAction, VirtualFamily } from '../family.js';
import { homeDeviceId } from '../ids.js';
import { normalizeMode } from '../normalize.js';
import type { Capability, DeviceState, ScheduleRef } from '../types.js';
import { heatedRooms } from './room.js';

export const HOME_THERM_MODES = ['schedule', 'away', 'frost_guard', 'off'] as const;
const NETATMO_HOME_MODE: Record<string, string> = {
  schedule: 'schedule',
  away: 'away',
  frost_guard: 'hg',
  off: 'off',
};
const TIMED_HOME_MODES = new Set(['away', 'frost_guard']);

/**
 * Therm schedules of a home (the ones setthermmode/switchhomeschedule accept), by name. Names
 * are unique (a second "Winter" is "Winter (2)"): the select and the command name one schedule.
 */
export function thermSchedules(home: HomeTopology): ScheduleRef[] {
  const used = new Set<string>();
  return (home.schedules ?? [])
    .filter((s) => s.type === undefined || s.type === 'therm')
    .map((s) => {
      const base = s.name?.trim() || s.id;
      let name = base;
      for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
      used.add(name);
      return { id: s.id, name, selected: s.selected === true };
    });
}

const EVERYBODY_AWAY: Capability = {
  key: 'everybody_away',
  name: 'Everybody away',
  kind: 'enum',
  component: 'button',
  writable: { options: ['PRESS'] },
};

function thermostatCapabilities(scheduleNames: string[]): Capability[] {
  return [
    {
      key: 'thermostat_mode',
      name: 'Thermostat mode',
      kind: 'enum',
      component: 'select',
      options: [...HOME_THERM_MODES],
      writable: { options: [...HOME_THERM_MODES] },
    },
    {
      key: 'schedule',
      name: 'Schedule',
      kind: 'enum',
      component: 'select',
      options: [...scheduleNames],
      writable: { options: [...scheduleNames] },
    },
  ];
}

export const home: VirtualFamily = {
  id: 'home',
  kind: 'home',
  commandKeys: ['thermostat_mode', 'schedule', 'everybody_away'],

  devicesOf(topology, entryOf) {
    const schedules = thermSchedules(topology);
    const heating = heatedRooms(topology, entryOf).size > 0 || schedules.length > 0;
    const persons = (topology.persons?.length ?? 0) > 0;
    if (!heating && !persons) return [];
    return [
      {
        id: homeDeviceId(topology.id),
        netatmoId: topology.id,
        homeId: topology.id,
        ...(topology.name ? { homeName: topology.name } : {}),
        kind: 'home',
        family: 'home',
        type: 'home',
        name: topology.name ?? `Home ${topology.id}`,
        model: 'Home',
        manufacturer: 'Netatmo',
        source: 'homes',
        capabilities: [
          ...(heating ? thermostatCapabilities(schedules.map((s) => s.name)) : []),
          ...(persons ? [EVERYBODY_AWAY] : []),
        ],
        schedules,
      },
    ];
  },

  topologyState(device, topology) {
    if (!hasCapability(device, 'thermostat_mode')) return undefined;
    const selected = thermSchedules(topology).find((s) => s.selected);
    return { thermostat_mode: normalizeMode(topology.therm_mode), schedule: selected?.name ?? null };
  },

  homeState(device, status) {
    return typeof status.home.therm_mode === 'string' && hasCapability(device, 'thermostat_mode')
      ? { thermostat_mode: normalizeMode(status.home.therm_mode) }
      : undefined;
  },

  timed: (values) => TIMED_HOME_MODES.has(String(values.thermostat_mode ?? '')),

  encode({ device, values, endTime }) {
    const homeId = device.netatmoId;
    const actions: NetatmoAction[] = [];
    const expected: DeviceState = {};
    if (values.everybody_away !== undefined) actions.push({ kind: 'persons_away', homeId });
    if (typeof values.thermostat_mode === 'string') {
      const mode = NETATMO_HOME_MODE[values.thermostat_mode];
      if (mode === undefined) return { error: `unknown thermostat mode ${values.thermostat_mode}` };
      actions.push({
        kind: 'therm_mode',
        homeId,
        mode,
        ...(endTime === undefined ? {} : { endtime: endTime }),
      });
      expected.thermostat_mode = values.thermostat_mode;
    }
    if (typeof values.schedule === 'string') {
      const scheduleId = device.schedules?.find((s) => s.name === values.schedule)?.id;
      if (scheduleId === undefined)
        return {
          error: `schedule '${values.schedule}' is not known yet; try again after the next topology refresh`,
        };
      actions.push({ kind: 'switch_schedule', homeId, scheduleId });
      expected.schedule = values.schedule;
    }
    // A schedule switch shows up in homesdata, not homestatus: nothing for the next poll to confirm.
    return { actions, expected, confirmable: Object.keys(expected).filter((k) => k !== 'schedule') };
  },

  components(kit, caps): Record<string, ComponentConfig> {
    const away = caps.get('everybody_away');
    if (!away) return {};
    return {
      everybody_away: {
        p: 'button',
        ...kit.common('everybody_away', away),
        icon: 'mdi:home-export-outline',
        command_topic: kit.commandTopic('everybody_away'),
        payload_press: 'PRESS',
      },
    };
  },
};
