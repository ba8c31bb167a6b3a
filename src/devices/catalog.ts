/**
 * Netatmo module type codes → device kind, model name and manufacturer.
 * Codes from pyatmo `modules/device_types.py` and the fixtures.
 */
import type { DeviceKind } from './types.js';

export interface CatalogEntry {
  kind: DeviceKind;
  model: string;
  manufacturer: string;
}

const NETATMO = 'Netatmo';
const LEGRAND = 'Legrand';
const BUBENDORFF = 'Bubendorff';
const BTICINO = 'BTicino';

const entries: Record<string, CatalogEntry> = {
  // Energy
  NAPlug: { kind: 'boiler', model: 'Smart Thermostat Relay', manufacturer: NETATMO },
  NATherm1: { kind: 'thermostat', model: 'Smart Thermostat', manufacturer: NETATMO },
  NRV: { kind: 'valve', model: 'Smart Radiator Valve', manufacturer: NETATMO },
  NAC: { kind: 'thermostat', model: 'Smart AC Control', manufacturer: NETATMO },
  OTH: { kind: 'boiler', model: 'OpenTherm Modulating Relay', manufacturer: NETATMO },
  OTM: { kind: 'boiler', model: 'OpenTherm Modulating Thermostat', manufacturer: NETATMO },
  BNS: { kind: 'boiler', model: 'Smarther with Netatmo', manufacturer: BTICINO },
  // Weather and air
  NAMain: { kind: 'weather_station', model: 'Smart Home Weather Station', manufacturer: NETATMO },
  NAModule1: { kind: 'weather_module', model: 'Outdoor Module', manufacturer: NETATMO },
  NAModule2: { kind: 'weather_module', model: 'Smart Anemometer', manufacturer: NETATMO },
  NAModule3: { kind: 'weather_module', model: 'Smart Rain Gauge', manufacturer: NETATMO },
  NAModule4: { kind: 'weather_module', model: 'Indoor Module', manufacturer: NETATMO },
  NHC: { kind: 'home_coach', model: 'Smart Indoor Air Quality Monitor', manufacturer: NETATMO },
  // Security
  NACamera: { kind: 'camera', model: 'Smart Indoor Camera', manufacturer: NETATMO },
  NPC: { kind: 'camera', model: 'Smart Indoor Camera (Advance)', manufacturer: NETATMO },
  NOC: { kind: 'camera', model: 'Smart Outdoor Camera', manufacturer: NETATMO },
  NDB: { kind: 'camera', model: 'Smart Video Doorbell', manufacturer: NETATMO },
  NACamDoorTag: { kind: 'door_tag', model: 'Smart Door and Window Sensor', manufacturer: NETATMO },
  NIS: { kind: 'siren', model: 'Smart Indoor Siren', manufacturer: NETATMO },
  NSD: { kind: 'smoke_alarm', model: 'Smart Smoke Alarm', manufacturer: NETATMO },
  NCO: { kind: 'co_alarm', model: 'Smart Carbon Monoxide Alarm', manufacturer: NETATMO },
  // Legrand gateways, plugs, lights
  NLG: { kind: 'gateway', model: 'Gateway', manufacturer: LEGRAND },
  NLGS: { kind: 'gateway', model: 'Gateway (standard)', manufacturer: LEGRAND },
  NLP: { kind: 'switch', model: 'Smart Plug', manufacturer: LEGRAND },
  NLPM: { kind: 'switch', model: 'Mobile Plug', manufacturer: LEGRAND },
  NLPBS: { kind: 'switch', model: 'British Standard Plug', manufacturer: LEGRAND },
  NLF: { kind: 'light', model: 'Light Switch', manufacturer: LEGRAND },
  NLFN: { kind: 'light', model: 'Dimmer with Neutral', manufacturer: LEGRAND },
  NLFE: { kind: 'light', model: 'Dimmer without Neutral (Evolution)', manufacturer: LEGRAND },
  NLM: { kind: 'light', model: 'Light Micro Module', manufacturer: LEGRAND },
  NLL: { kind: 'switch', model: 'Switch with Neutral', manufacturer: LEGRAND },
  NLIS: { kind: 'switch', model: 'Double Switch', manufacturer: LEGRAND },
  // Legrand other
  NLV: { kind: 'shutter', model: 'Roller Shutter Switch', manufacturer: LEGRAND },
  NLLV: { kind: 'shutter', model: 'Roller Shutter Switch with Level', manufacturer: LEGRAND },
  NLLM: { kind: 'shutter', model: 'Roller Shutter Micro Module', manufacturer: LEGRAND },
  NLPC: { kind: 'meter', model: 'Connected Energy Meter', manufacturer: LEGRAND },
  NLE: { kind: 'meter', model: 'Ecometer', manufacturer: LEGRAND },
  NLPS: { kind: 'meter', model: 'Load Shedder', manufacturer: LEGRAND },
  NLPT: { kind: 'switch', model: 'Latching Relay', manufacturer: LEGRAND },
  NLPO: { kind: 'switch', model: 'Contactor', manufacturer: LEGRAND },
  NLPD: { kind: 'switch', model: 'Dry Contact', manufacturer: LEGRAND },
  NLLF: { kind: 'fan', model: 'Centralized Ventilation Control', manufacturer: LEGRAND },
  NLC: { kind: 'switch', model: 'Pilot Wire Cable Outlet', manufacturer: LEGRAND },
  NLT: { kind: 'remote', model: 'Wireless Remote Switch', manufacturer: LEGRAND },
  NLD: { kind: 'remote', model: 'Double Wireless Remote Switch', manufacturer: LEGRAND },
  NLAS: { kind: 'remote', model: 'Wireless Scene Switch', manufacturer: LEGRAND },
  NLDP: { kind: 'remote', model: 'Pocket Remote', manufacturer: LEGRAND },
  NLAO: { kind: 'remote', model: 'Battery-free Wireless Switch', manufacturer: LEGRAND },
  NLJ: { kind: 'shutter', model: 'Garage Door Opener', manufacturer: LEGRAND },
  // Others
  NBG: { kind: 'gateway', model: 'iDiamant Gateway', manufacturer: BUBENDORFF },
  NBR: { kind: 'shutter', model: 'Roller Shutter', manufacturer: BUBENDORFF },
  NBO: { kind: 'shutter', model: 'Orientable Shutter', manufacturer: BUBENDORFF },
  NBS: { kind: 'shutter', model: 'Swing Shutter', manufacturer: BUBENDORFF },
  TPSRS: { kind: 'shutter', model: 'io Roller Shutter', manufacturer: 'Somfy' },
  Z3L: { kind: 'light', model: 'Zigbee 3 Light', manufacturer: LEGRAND },
  Z3V: { kind: 'shutter', model: 'Zigbee 3 Shutter', manufacturer: LEGRAND },
  BNCX: { kind: 'intercom', model: 'Classe 300 EOS Internal Unit', manufacturer: BTICINO },
  BNEU: { kind: 'intercom', model: 'Classe 300 EOS External Unit', manufacturer: BTICINO },
  BNDL: { kind: 'intercom', model: 'Classe 300 EOS Door Lock', manufacturer: BTICINO },
  BNSL: { kind: 'intercom', model: 'Classe 300 EOS Staircase Light', manufacturer: BTICINO },
};

/** Types whose brightness can be set (dimmers); other lights are on/off only. */
export const DIMMABLE_TYPES: ReadonlySet<string> = new Set(['NLFN', 'NLFE', 'Z3L']);

/** Types that drive heating in a room: a room with one of these becomes a climate device. */
export const HEATING_TYPES: ReadonlySet<string> = new Set(['NATherm1', 'NRV', 'OTM', 'BNS', 'NAC', 'NLC']);

/** Types whose camera has a floodlight (on/off/auto). */
export const FLOODLIGHT_TYPES: ReadonlySet<string> = new Set(['NOC']);

export function catalogEntry(type: string): CatalogEntry | undefined {
  return Object.hasOwn(entries, type) ? entries[type] : undefined;
}

/** Every type code the model knows, for tests and documentation. */
export const KNOWN_TYPES: readonly string[] = Object.keys(entries);
