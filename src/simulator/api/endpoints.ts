/** The /api/<name> endpoints: parameter parsing, then the world does the work. */
import {
  type Params,
  setRoomThermPoint,
  setState,
  setThermMode,
  switchHomeSchedule,
} from '../world/commands.js';
import { events, homeCoachsData, homeStatus, homesData, stationsData } from '../world/reads.js';
import type { World } from '../world/world.js';
import { getMeasure } from './getmeasure.js';
import { intParam, list, optional, required } from './params.js';

export interface ApiContext {
  world: World;
  /** Query and form parameters. */
  params: Params;
  /** The parsed JSON body, for endpoints that take one (setstate). */
  json: unknown;
  now: number;
}

/** Returns the envelope's `body`, or undefined for writes that answer a bare `{"status":"ok"}`. */
export type ApiHandler = (ctx: ApiContext) => unknown;

export const API_ENDPOINTS: Record<string, ApiHandler> = {
  homesdata: ({ world, params }) => homesData(world, optional(params, 'home_id')),
  homestatus: ({ world, params }) =>
    homeStatus(
      world,
      required(params, 'home_id'),
      list(optional(params, 'device_types') ?? optional(params, 'device_types[]'), 'device_types'),
    ),
  setstate: ({ world, json, now }) => setState(world, json, now),
  setroomthermpoint: ({ world, params, now }) => setRoomThermPoint(world, params, now),
  setthermmode: ({ world, params, now }) => setThermMode(world, params, now),
  switchhomeschedule: ({ world, params, now }) => switchHomeSchedule(world, params, now),
  getstationsdata: ({ world, params }) => stationsData(world, optional(params, 'device_id')),
  gethomecoachsdata: ({ world, params }) => homeCoachsData(world, optional(params, 'device_id')),
  getevents: ({ world, params }) =>
    events(
      world,
      required(params, 'home_id'),
      intParam(params, 'size', 30, 1, 300),
      intParam(params, 'offset', 0, 0, 1e6),
    ),
  getmeasure: ({ world, params, now }) => getMeasure(world, params, now),
};
