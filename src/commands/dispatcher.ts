/**
 * Sends encoded commands to Netatmo with the command priority and a deadline.
 *
 * - `setstate` parts (modules and rooms) of one home that arrive within a short batch window,
 *   or while that home's previous setstate is still on its way, go out together in ONE call;
 *   `body.errors[]` is mapped back to the commands of the modules it names. A batch Netatmo
 *   refuses as a whole (one invalid entry) is resent part by part, so one stale module cannot
 *   fail its neighbours' commands.
 * - Other calls (setroomthermpoint, setthermmode, switchhomeschedule, setpersonsaway/home) run
 *   one at a time per device, so a trailing value never overtakes the value sent before it.
 */
import { cleanNetatmoId } from '../devices/ids.js';
import type { NetatmoAction } from '../devices/index.js';
import type { ModuleError, SetStateBody, SetStateRequest } from '../netatmo/api-types.js';
import type { RoomThermPoint, ThermMode } from '../netatmo/client.js';
import { isNetatmoError } from '../netatmo/errors.js';
import type { CallOptions } from '../netatmo/types.js';
import type { Clock } from '../util/clock.js';
import { failureFromError, failureFromModuleError } from './outcome.js';
import type { DispatchResult } from './types.js';

/** The write endpoints of NetatmoClient. */
export interface CommandApi {
  setState(request: SetStateRequest, call?: Partial<CallOptions>): Promise<SetStateBody>;
  setRoomThermPoint(point: RoomThermPoint, call?: Partial<CallOptions>): Promise<void>;
  setThermMode(mode: ThermMode, call?: Partial<CallOptions>): Promise<void>;
  switchHomeSchedule(
    target: { homeId: string; scheduleId: string },
    call?: Partial<CallOptions>,
  ): Promise<void>;
  setPersonsAway(target: { homeId: string; personId?: string }, call?: Partial<CallOptions>): Promise<void>;
  setPersonsHome(target: { homeId: string; personId: string }, call?: Partial<CallOptions>): Promise<void>;
}

export interface DispatcherOptions {
  api: CommandApi;
  clock: Clock;
  /** How long a command may wait in the gate and on the wire before it is answered with an error. */
  deadlineMs: number;
  /** How long the first setstate part of a home waits for others to join it. Default 20 ms. */
  batchMs?: number;
}

type Resolve = (result: DispatchResult) => void;

interface Part {
  fields: { id: string; [field: string]: unknown };
  waiters: Resolve[];
}

interface HomeBatch {
  modules: Map<string, Part>;
  rooms: Map<string, Part>;
}

interface HomeLane {
  pending: HomeBatch;
  busy: boolean;
  cancelTimer?: () => void;
}

export class CommandDispatcher {
  readonly #o: DispatcherOptions;
  readonly #homes = new Map<string, HomeLane>();
  readonly #deviceLanes = new Map<string, Promise<unknown>>();
  #stopped = false;
  /** Netatmo calls made, by endpoint (for tests and health). */
  readonly calls: Record<string, number> = {};

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  /** Sends every action of one command; resolves with the first failure, or ok. */
  async dispatch(deviceId: string, actions: NetatmoAction[]): Promise<DispatchResult> {
    const results = await Promise.all(actions.map((action) => this.#dispatchOne(deviceId, action)));
    return results.find((r) => !r.ok) ?? { ok: true };
  }

  /** Cancels batch timers; commands still waiting are answered with an error. */
  stop(): void {
    this.#stopped = true;
    for (const lane of this.#homes.values()) {
      lane.cancelTimer?.();
      for (const part of [...lane.pending.modules.values(), ...lane.pending.rooms.values()])
        for (const resolve of part.waiters)
          resolve({ ok: false, code: 'api_error', error: 'the bridge is stopping' });
    }
    this.#homes.clear();
  }

  #dispatchOne(deviceId: string, action: NetatmoAction): Promise<DispatchResult> {
    switch (action.kind) {
      case 'setstate_module':
        return this.#join(action.homeId, 'modules', action.module);
      case 'setstate_room':
        return this.#join(action.homeId, 'rooms', action.room);
      case 'room_therm_point':
        return this.#inDeviceLane(deviceId, 'setroomthermpoint', (call) =>
          this.#o.api.setRoomThermPoint(
            {
              homeId: action.homeId,
              roomId: action.roomId,
              mode: action.mode,
              ...(action.temp === undefined ? {} : { temp: action.temp }),
              ...(action.endtime === undefined ? {} : { endtime: action.endtime }),
            },
            call,
          ),
        );
      case 'therm_mode':
        return this.#inDeviceLane(deviceId, 'setthermmode', (call) =>
          this.#o.api.setThermMode(
            {
              homeId: action.homeId,
              mode: action.mode,
              ...(action.endtime === undefined ? {} : { endtime: action.endtime }),
            },
            call,
          ),
        );
      case 'switch_schedule':
        return this.#inDeviceLane(deviceId, 'switchhomeschedule', (call) =>
          this.#o.api.switchHomeSchedule({ homeId: action.homeId, scheduleId: action.scheduleId }, call),
        );
      case 'persons_away':
        return this.#inDeviceLane(deviceId, 'setpersonsaway', (call) =>
          this.#o.api.setPersonsAway(
            {
              homeId: action.homeId,
              ...(action.personId === undefined ? {} : { personId: action.personId }),
            },
            call,
          ),
        );
      case 'persons_home':
        return this.#inDeviceLane(deviceId, 'setpersonshome', (call) =>
          this.#o.api.setPersonsHome({ homeId: action.homeId, personId: action.personId }, call),
        );
    }
  }

  #callOptions(): Partial<CallOptions> {
    return { priority: 'command', deadline: this.#o.clock.now() + this.#o.deadlineMs };
  }

  #inDeviceLane(
    deviceId: string,
    endpoint: string,
    send: (call: Partial<CallOptions>) => Promise<void>,
  ): Promise<DispatchResult> {
    const previous = this.#deviceLanes.get(deviceId) ?? Promise.resolve();
    const run = previous.then(async (): Promise<DispatchResult> => {
      if (this.#stopped) return { ok: false, code: 'api_error', error: 'the bridge is stopping' };
      this.#count(endpoint);
      try {
        await send(this.#callOptions());
        return { ok: true };
      } catch (error) {
        return failureFromError(error);
      }
    });
    this.#deviceLanes.set(deviceId, run);
    void run.finally(() => {
      if (this.#deviceLanes.get(deviceId) === run) this.#deviceLanes.delete(deviceId);
    });
    return run;
  }

  #join(homeId: string, where: 'modules' | 'rooms', fields: Part['fields']): Promise<DispatchResult> {
    if (this.#stopped)
      return Promise.resolve({ ok: false, code: 'api_error', error: 'the bridge is stopping' });
    let lane = this.#homes.get(homeId);
    if (!lane) {
      lane = { pending: emptyBatch(), busy: false };
      this.#homes.set(homeId, lane);
    }
    const parts = lane.pending[where];
    return new Promise<DispatchResult>((resolve) => {
      const part = parts.get(fields.id);
      // Two commands for one module in one batch merge; a later value of the same field wins.
      if (part) {
        Object.assign(part.fields, fields);
        part.waiters.push(resolve);
      } else {
        parts.set(fields.id, { fields: { ...fields }, waiters: [resolve] });
      }
      this.#scheduleFlush(homeId, lane);
    });
  }

  #scheduleFlush(homeId: string, lane: HomeLane): void {
    if (lane.busy || lane.cancelTimer) return;
    lane.cancelTimer = this.#o.clock.schedule(this.#o.batchMs ?? 20, () => {
      lane.cancelTimer = undefined;
      void this.#flush(homeId, lane);
    });
  }

  async #flush(homeId: string, lane: HomeLane): Promise<void> {
    const batch = lane.pending;
    if (batch.modules.size + batch.rooms.size === 0) return;
    lane.pending = emptyBatch();
    lane.busy = true;
    const home: SetStateRequest['home'] = { id: homeId };
    if (batch.modules.size > 0) home.modules = [...batch.modules.values()].map((p) => p.fields);
    if (batch.rooms.size > 0) home.rooms = [...batch.rooms.values()].map((p) => p.fields);
    this.#count('setstate');
    try {
      const body = await this.#o.api.setState({ home }, this.#callOptions());
      const errors = new Map<string, ModuleError>((body.errors ?? []).map((e) => [cleanNetatmoId(e.id), e]));
      for (const part of [...batch.modules.values(), ...batch.rooms.values()]) {
        const entry = errors.get(cleanNetatmoId(part.fields.id));
        const result: DispatchResult = entry ? failureFromModuleError(entry) : { ok: true };
        for (const resolve of part.waiters) resolve(result);
      }
    } catch (error) {
      const parts = batch.modules.size + batch.rooms.size;
      if (parts > 1 && isNetatmoError(error, 'api')) {
        // Netatmo refuses a whole setstate for one bad entry (e.g. code 21 "Invalid device_id"
        // for a module it no longer knows): send each part alone so the others still go through.
        await this.#sendAlone(homeId, batch);
      } else {
        const result = failureFromError(error);
        for (const part of [...batch.modules.values(), ...batch.rooms.values()])
          for (const resolve of part.waiters) resolve(result);
      }
    } finally {
      lane.busy = false;
      if (lane.pending.modules.size + lane.pending.rooms.size > 0) this.#scheduleFlush(homeId, lane);
      else if (this.#homes.get(homeId) === lane) this.#homes.delete(homeId);
    }
  }

  async #sendAlone(homeId: string, batch: HomeBatch): Promise<void> {
    const single = async (where: 'modules' | 'rooms', part: Part): Promise<void> => {
      this.#count('setstate');
      let result: DispatchResult;
      try {
        const body = await this.#o.api.setState(
          { home: { id: homeId, [where]: [part.fields] } },
          this.#callOptions(),
        );
        const entry = body.errors?.find((e) => cleanNetatmoId(e.id) === cleanNetatmoId(part.fields.id));
        result = entry ? failureFromModuleError(entry) : { ok: true };
      } catch (error) {
        result = failureFromError(error);
      }
      for (const resolve of part.waiters) resolve(result);
    };
    for (const part of batch.modules.values()) await single('modules', part);
    for (const part of batch.rooms.values()) await single('rooms', part);
  }

  #count(endpoint: string): void {
    this.calls[endpoint] = (this.calls[endpoint] ?? 0) + 1;
  }
}

function emptyBatch(): HomeBatch {
  return { modules: new Map(), rooms: new Map() };
}
