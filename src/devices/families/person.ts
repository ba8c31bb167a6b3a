/**
 * Persons the home's cameras know by name (homesdata `persons` with a `pseudo`) become devices
 * of their own: whether they are home (homestatus `persons[].out_of_sight`, and their person /
 * person_away / person_home events, see src/security/) and when a camera last saw them.
 * `presence` takes `home` or `away` (`setpersonshome` / `setpersonsaway`); unknown faces are
 * not devices.
 */
import type { HomeTopology, Person } from '../../netatmo/api-types.js';
import { binary } from '../capability.js';
import type { VirtualFamily } from '../family.js';
import { personDeviceId } from '../ids.js';
import { bool, isoTime } from '../normalize.js';
import type { Capability, Device, DeviceState } from '../types.js';

export const PRESENCE_VALUES = ['home', 'away'] as const;

const CAPABILITIES: Capability[] = [
  { ...binary('presence', 'Presence', 'presence'), writable: { options: [...PRESENCE_VALUES] } },
  { key: 'last_seen', name: 'Last seen', kind: 'timestamp', component: 'sensor', deviceClass: 'timestamp' },
];

/** The persons of a home with a name (the ones `setpersonshome` can name meaningfully). */
export function knownPersons(home: HomeTopology): Person[] {
  return (home.persons ?? []).filter((p) => typeof p.id === 'string' && typeof p.pseudo === 'string');
}

/** `out_of_sight`/`last_seen` of a person, as homesdata and homestatus both report them. */
function presenceState(entry: Record<string, unknown>): DeviceState {
  const outOfSight = bool(entry.out_of_sight);
  const state: DeviceState = {};
  if (outOfSight !== null) state.presence = !outOfSight;
  const lastSeen = isoTime(entry.last_seen);
  if (lastSeen !== null) state.last_seen = lastSeen;
  return state;
}

export const person: VirtualFamily = {
  id: 'person',
  kind: 'person',
  commandKeys: ['presence'],

  devicesOf(topology) {
    return knownPersons(topology).map(
      (p): Device => ({
        id: personDeviceId(p.id),
        netatmoId: p.id,
        homeId: topology.id,
        ...(topology.name ? { homeName: topology.name } : {}),
        kind: 'person',
        family: 'person',
        type: 'person',
        name: String(p.pseudo),
        model: 'Person',
        manufacturer: 'Netatmo',
        source: 'homes',
        capabilities: CAPABILITIES,
      }),
    );
  },

  topologyState(device, topology) {
    const entry = topology.persons?.find((p) => p.id === device.netatmoId);
    return entry ? presenceState(entry) : undefined;
  },

  homeState(device, status) {
    const entry = status.home.persons?.find((p) => p.id === device.netatmoId);
    return entry ? presenceState(entry) : undefined;
  },

  encode({ device, values }) {
    if (!device.homeId) return { error: `${device.id} belongs to no Netatmo home` };
    const home = values.presence === 'home';
    return {
      actions: [
        home
          ? { kind: 'persons_home', homeId: device.homeId, personId: device.netatmoId }
          : { kind: 'persons_away', homeId: device.homeId, personId: device.netatmoId },
      ],
      expected: { presence: home },
      confirmable: ['presence'],
    };
  },

  // A binary sensor cannot be switched in Home Assistant: one button per direction.
  components(kit) {
    return Object.fromEntries(
      PRESENCE_VALUES.map((value) => [
        `set_${value}`,
        {
          p: 'button',
          ...kit.common(`set_${value}`),
          name: value === 'home' ? 'Set home' : 'Set away',
          icon: value === 'home' ? 'mdi:home-account' : 'mdi:account-arrow-right',
          command_topic: kit.commandTopic('presence'),
          payload_press: value,
        },
      ]),
    );
  },
};
