/**
 * Typed Netatmo endpoints on top of an ApiCaller (the session: gate + auth + retries).
 *
 * Reads default to priority 'state' and are idempotent (safe to retry); writes default to
 * priority 'command' and are not (a resent command may run twice). Every answer is validated
 * (validate/index.ts) before it is returned. Per-module errors inside an HTTP 200 are part of
 * the returned body, never thrown: read them with `moduleErrors(body)`.
 */
import type {
  EventsBody,
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  MeasureBody,
  ModuleError,
  SetStateBody,
  SetStateRequest,
  StationsDataBody,
} from './api-types.js';
import type { ApiCaller, ApiRequest, CallOptions, FormValue } from './types.js';
import {
  validateEvents,
  validateHomeCoachsData,
  validateHomeStatus,
  validateHomesData,
  validateMeasure,
  validateSetState,
  validateStationsData,
} from './validate/index.js';

export type MeasureScale = 'max' | '30min' | '1hour' | '3hours' | '1day' | '1week' | '1month';
const MEASURE_SCALES: ReadonlySet<string> = new Set([
  'max',
  '30min',
  '1hour',
  '3hours',
  '1day',
  '1week',
  '1month',
]);
/** Netatmo's documented ceiling for `limit` on getmeasure. */
const MAX_MEASURE_LIMIT = 1024;

export interface RoomThermPoint {
  homeId: string;
  roomId: string;
  /** `manual`, `home`, `max`, `off`, ... */
  mode: string;
  temp?: number;
  /** Epoch seconds. */
  endtime?: number;
}

export interface ThermMode {
  homeId: string;
  /** `schedule`, `away`, `hg`, `off`, ... */
  mode: string;
  /** Epoch seconds; for `away` and `hg`. */
  endtime?: number;
  /** With `schedule`. */
  scheduleId?: string;
}

export interface EventsQuery {
  homeId: string;
  size?: number;
  offset?: number;
  /** Only events older than this one (paging backwards, as openHAB does). */
  eventId?: string;
  deviceTypes?: string[];
}

export interface MeasureQuery {
  deviceId: string;
  moduleId?: string;
  scale: MeasureScale;
  type: string[];
  /** Epoch seconds. */
  dateBegin?: number;
  /** Epoch seconds. */
  dateEnd?: number;
  limit?: number;
  optimize?: boolean;
  realTime?: boolean;
}

const READ: CallOptions = { priority: 'state', idempotent: true };
const WRITE: CallOptions = { priority: 'command', idempotent: false };

export class NetatmoClient {
  readonly #caller: ApiCaller;

  constructor(caller: ApiCaller) {
    this.#caller = caller;
  }

  async homesData(params: { homeId?: string } = {}, call?: Partial<CallOptions>): Promise<HomesDataBody> {
    const body = await this.#send(
      { endpoint: 'homesdata', params: { home_id: params.homeId } },
      READ,
      call,
      params.homeId,
    );
    return validateHomesData(body);
  }

  async homeStatus(
    homeId: string,
    params: { deviceTypes?: string[] } = {},
    call?: Partial<CallOptions>,
  ): Promise<HomeStatusBody> {
    requireText('homeId', homeId);
    const request = {
      endpoint: 'homestatus',
      params: { home_id: homeId, device_types: list(params.deviceTypes) },
    };
    return validateHomeStatus(await this.#send(request, READ, call, homeId), homeId);
  }

  async stationsData(
    params: { deviceId?: string } = {},
    call?: Partial<CallOptions>,
  ): Promise<StationsDataBody> {
    const body = await this.#send(
      { endpoint: 'getstationsdata', params: { device_id: params.deviceId } },
      READ,
      call,
    );
    return validateStationsData(body);
  }

  async homeCoachsData(
    params: { deviceId?: string } = {},
    call?: Partial<CallOptions>,
  ): Promise<HomeCoachsDataBody> {
    const body = await this.#send(
      { endpoint: 'gethomecoachsdata', params: { device_id: params.deviceId } },
      READ,
      call,
    );
    return validateHomeCoachsData(body);
  }

  /** Sent as a JSON body. Modules that refused are listed in the result's `errors`. */
  async setState(request: SetStateRequest, call?: Partial<CallOptions>): Promise<SetStateBody> {
    requireText('home.id', request.home?.id);
    const body = await this.#send({ endpoint: 'setstate', json: request }, WRITE, call, request.home.id);
    return validateSetState(body);
  }

  async setRoomThermPoint(point: RoomThermPoint, call?: Partial<CallOptions>): Promise<void> {
    requireText('homeId', point.homeId);
    requireText('roomId', point.roomId);
    requireText('mode', point.mode);
    if (point.temp !== undefined) requireNumber('temp', point.temp);
    if (point.endtime !== undefined) requireNumber('endtime', point.endtime);
    const params = {
      home_id: point.homeId,
      room_id: point.roomId,
      mode: point.mode,
      temp: point.temp,
      endtime: point.endtime,
    };
    await this.#send({ endpoint: 'setroomthermpoint', params }, WRITE, call, point.homeId);
  }

  async setThermMode(mode: ThermMode, call?: Partial<CallOptions>): Promise<void> {
    requireText('homeId', mode.homeId);
    requireText('mode', mode.mode);
    if (mode.endtime !== undefined) requireNumber('endtime', mode.endtime);
    const params = {
      home_id: mode.homeId,
      mode: mode.mode,
      endtime: mode.endtime,
      schedule_id: mode.scheduleId,
    };
    await this.#send({ endpoint: 'setthermmode', params }, WRITE, call, mode.homeId);
  }

  async switchHomeSchedule(
    target: { homeId: string; scheduleId: string },
    call?: Partial<CallOptions>,
  ): Promise<void> {
    requireText('homeId', target.homeId);
    requireText('scheduleId', target.scheduleId);
    const params = { home_id: target.homeId, schedule_id: target.scheduleId };
    await this.#send({ endpoint: 'switchhomeschedule', params }, WRITE, call, target.homeId);
  }

  /** Camera and doorbell events: not polled yet, kept for the camera issue (tested in client.test.ts). */
  async getEvents(query: EventsQuery, call?: Partial<CallOptions>): Promise<EventsBody> {
    requireText('homeId', query.homeId);
    if (query.size !== undefined) requireNumber('size', query.size);
    if (query.offset !== undefined) requireNumber('offset', query.offset);
    const params = {
      home_id: query.homeId,
      size: query.size,
      offset: query.offset,
      event_id: query.eventId,
      device_types: list(query.deviceTypes),
    };
    return validateEvents(await this.#send({ endpoint: 'getevents', params }, READ, call, query.homeId));
  }

  /** One person, or (none given) everybody: Netatmo then counts the home as empty. */
  async setPersonsAway(
    target: { homeId: string; personId?: string },
    call?: Partial<CallOptions>,
  ): Promise<void> {
    requireText('homeId', target.homeId);
    if (target.personId !== undefined) requireText('personId', target.personId);
    const params = { home_id: target.homeId, person_id: target.personId };
    await this.#send({ endpoint: 'setpersonsaway', params }, WRITE, call, target.homeId);
  }

  /** Marks one person home; the id goes as `person_ids[]`, as pyatmo sends it. */
  async setPersonsHome(
    target: { homeId: string; personId: string },
    call?: Partial<CallOptions>,
  ): Promise<void> {
    requireText('homeId', target.homeId);
    requireText('personId', target.personId);
    const params = { home_id: target.homeId, 'person_ids[]': target.personId };
    await this.#send({ endpoint: 'setpersonshome', params }, WRITE, call, target.homeId);
  }

  /** Registers the app's webhook (one per user: it replaces any earlier one). The URL is a secret. */
  async addWebhook(url: string, call?: Partial<CallOptions>): Promise<void> {
    requireText('url', url);
    await this.#send({ endpoint: 'addwebhook', params: { url, app_types: 'app_security' } }, WRITE, call);
  }

  async dropWebhook(call?: Partial<CallOptions>): Promise<void> {
    await this.#send({ endpoint: 'dropwebhook', params: { app_types: 'app_security' } }, WRITE, call);
  }

  /** Measure history: energy meters and boiler time (src/energy), weather graphs. */
  async getMeasure(query: MeasureQuery, call?: Partial<CallOptions>): Promise<MeasureBody> {
    requireText('deviceId', query.deviceId);
    if (!MEASURE_SCALES.has(query.scale))
      throw new RangeError(`getmeasure: unknown scale ${String(query.scale)}`);
    if (!Array.isArray(query.type) || query.type.length === 0) {
      throw new RangeError('getmeasure: type needs at least one measure');
    }
    if (
      query.limit !== undefined &&
      !(Number.isInteger(query.limit) && query.limit > 0 && query.limit <= MAX_MEASURE_LIMIT)
    ) {
      throw new RangeError(`getmeasure: limit must be 1..${MAX_MEASURE_LIMIT}, got ${query.limit}`);
    }
    const params: Record<string, FormValue> = {
      device_id: query.deviceId,
      module_id: query.moduleId,
      scale: query.scale,
      type: list(query.type),
      date_begin: query.dateBegin,
      date_end: query.dateEnd,
      limit: query.limit,
      optimize: query.optimize,
      real_time: query.realTime,
    };
    return validateMeasure(await this.#send({ endpoint: 'getmeasure', params }, READ, call));
  }

  #send(request: ApiRequest, defaults: CallOptions, call: Partial<CallOptions> | undefined, homeId?: string) {
    const options: CallOptions = {
      ...defaults,
      ...(homeId === undefined ? {} : { homeId }),
      ...stripUndefined(call),
    };
    return this.#caller.call(request, options);
  }
}

/** Per-module failures reported inside an HTTP 200 (homestatus, setstate); empty when none. */
export function moduleErrors(body: { errors?: ModuleError[] } | undefined | null): ModuleError[] {
  return body?.errors ?? [];
}

/** Netatmo takes lists (device_types, type) as comma-separated form values. */
function list(values: string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values.join(',');
}

function requireText(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`${name} must be a non-empty string`);
}

function requireNumber(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(`${name} must be a finite number`);
}

function stripUndefined(call: Partial<CallOptions> | undefined): Partial<CallOptions> {
  if (call === undefined) return {};
  return Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined)) as Partial<CallOptions>;
}
