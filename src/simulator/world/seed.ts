import type {
  HomeStatus,
  HomeTopology,
  MeasureBody,
  NetatmoUser,
  SecurityEvent,
  WeatherDevice,
} from '../../netatmo/api-types.js';

/** Everything a scenario provides to build the simulated world. */
export interface WorldSeed {
  user: NetatmoUser;
  /** Topology as homesdata returns it. */
  homes: HomeTopology[];
  /** Live state by home id, as homestatus returns it. */
  statuses: Record<string, HomeStatus>;
  /** getstationsdata devices (NAMain with modules). */
  stations: WeatherDevice[];
  /** gethomecoachsdata devices (NHC). */
  homecoaches: WeatherDevice[];
  /** getevents by home id. */
  events: Record<string, SecurityEvent[]>;
  /** Canned getmeasure answers (pyatmo fixtures), each for one module and one exact `type` list. */
  measures: CannedMeasure[];
}

/** A recorded getmeasure answer, served verbatim for its module and type list. */
export interface CannedMeasure {
  moduleId: string;
  types: string[];
  body: MeasureBody;
}

/** A seed with nothing in it yet but the account's user. */
export function emptySeed(user: NetatmoUser): WorldSeed {
  return { user, homes: [], statuses: {}, stations: [], homecoaches: [], events: {}, measures: [] };
}
