/**
 * Devices of the pyatmo fixtures (real Netatmo topology) for the command layer's unit tests, and
 * `/set` messages decoded by the bridge's own MQTT decoder.
 */
import { buildDevices } from '../../src/devices/index.js';
import type { Device } from '../../src/devices/types.js';
import { decodeIncoming, type IncomingOf } from '../../src/mqtt/incoming.js';
import { coaches, homes, stations } from '../devices/fixtures.js';

const devices = buildDevices({ homes: homes(), stations: stations(), coaches: coaches() });

export function fixtureDevice(id: string): Device {
  const device = devices.find((d) => d.id === id);
  if (!device) throw new Error(`no fixture device ${id}`);
  return device;
}

export const fixtureDevices = (): Device[] => devices;

/** `<base>/<device>/set` (attribute undefined) or `<base>/<device>/set/<attribute>` with `payload`. */
export function setMessage(
  device: string,
  attribute: string | undefined,
  payload: string,
): IncomingOf<'device_set'> {
  const message = decodeIncoming(
    { kind: 'device_set', device, ...(attribute === undefined ? {} : { attribute }) },
    Buffer.from(payload),
  );
  if (message.kind !== 'device_set') throw new Error('not a set message');
  return message;
}

export const ROOM = 'room_2746182631'; // NATherm1 room
export const OTM_ROOM = 'room_1002003001'; // OpenTherm room
export const HOME = 'home_91763b24c43d3e344f424e8b';
export const PLUG = '12_34_56_80_00_12_ac_f2'; // NLP
export const DIMMER = '12_34_56_00_01_01_01_a1'; // NLFN
export const SHUTTER = '0009999992'; // NBR
export const GARAGE = '12_34_56_00_01_01_01_b5'; // NLJ
export const FAN = '12_34_56_00_01_01_01_b1'; // NLLF
export const CAMERA = '12_34_56_10_b9_0e'; // NOC
export const STATION = '12_34_56_37_11_ca'; // NAMain: read-only
