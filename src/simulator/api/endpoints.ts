/** The /api/<name> endpoints: parameter parsing, then the world does the work. */

import type { SecurityService } from '../security/service.js';
import {
  type Params,
  setRoomThermPoint,
  setState,
  setThermMode,
  switchHomeSchedule,
} from '../world/commands.js';
import { homeCoachsData, homeStatus, homesData, stationsData } from '../world/reads.js';
import type { World } from '../world/world.js';
import { getMeasure } from './getmeasure.js';
import { list, optional, required } from './params.js';
import { SECURITY_ENDPOINTS } from './security.js';

export interface ApiContext {
  world: World;
  /** Query and form parameters. */
  params: Params;
  /** The parsed JSON body, for endpoints that take one (setstate). */
  json: unknown;
  /** Every value of a repeated form or query parameter (`person_ids[]=a&person_ids[]=b`). */
  all: (key: string) => string[];
  security: SecurityService;
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
  ...SECURITY_ENDPOINTS,
  getmeasure: ({ world, params, now }) => getMeasure(world, params, now),
};
