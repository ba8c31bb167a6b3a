/**
 * The device model: Netatmo bodies → devices of a family (families/), with typed capabilities
 * and normalized state.
 *
 *   const devices = buildDevices({ homes, stations, coaches });          // topology
 *   const states = deviceStates(devices, { homes, homeStatus, stations }); // partial states
 *   // merge each partial state into the previous one (start from initialState(device))
 *
 * Ids (ids.ts), normalisation rules (normalize.ts: battery %, signal quality, units) and each
 * family's ranges, state mapping and commands (families/*.ts) are documented where defined.
 * State keys are lowercase snake_case; units are °C, %, hPa, ppm, dB, km/h, mm, W, V;
 * times are ISO 8601 strings; `null` means unknown.
 */
export {
  buildDevices,
  buildHomeDevices,
  needsRebuild,
  type ReportedKeys,
  type TopologyInput,
} from './build.js';
export { HOME_THERM_MODES, thermSchedules } from './families/home.js';
export {
  COMMAND_KEYS,
  familyById,
  familyOfType,
  KNOWN_TYPES,
  MODULE_FAMILIES,
  typeEntry,
} from './families/index.js';
export { ROOM_MODES, SETPOINT_RANGE } from './families/room.js';
export * from './family.js';
export {
  ENERGY_KEY,
  HEATING_TIME_KEY,
  HISTORY_DATA_KEYS,
  type MeasureHistory,
  TARIFFS,
  type Tariff,
  tariffKey,
} from './history.js';
export {
  cleanNetatmoId,
  homeDeviceId,
  isTopicSafeId,
  moduleDeviceId,
  personDeviceId,
  roomDeviceId,
} from './ids.js';
export { deviceStates, initialState, type StateInput } from './state.js';
export type * from './types.js';
