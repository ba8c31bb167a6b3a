/**
 * The device model: Netatmo bodies → devices with typed capabilities and normalized state.
 *
 *   const devices = buildDevices({ homes, stations, coaches });          // topology
 *   const states = deviceStates(devices, { homes, homeStatus, stations }); // partial states
 *   // merge each partial state into the previous one (start from initialState(device))
 *
 * Ids (ids.ts), normalisation rules (normalize.ts: battery %, signal quality, units) and
 * writable ranges (capabilities.ts) are documented where they are defined.
 * State keys are lowercase snake_case; units are °C, %, hPa, ppm, dB, km/h, mm, W, V;
 * times are ISO 8601 strings; `null` means unknown.
 */
export { buildDevices, type TopologyInput, thermSchedules } from './build.js';
export { HOME_THERM_MODES, ROOM_MODES, SETPOINT_RANGE } from './capabilities.js';
export { catalogEntry, KNOWN_TYPES } from './catalog.js';
export { cleanNetatmoId, homeDeviceId, isTopicSafeId, moduleDeviceId, roomDeviceId } from './ids.js';
export { deviceStates, initialState, type StateInput } from './state.js';
export type * from './types.js';
