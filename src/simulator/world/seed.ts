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
  /** Canned getmeasure answers by module (or device) id. */
  measures: Record<string, MeasureBody>;
}
