/**
 * Where security events arrive, polled (the events feed) or pushed (the webhook), and leave:
 * deduplicated by the ledger, their state changes applied through DeviceSync (the one writer of
 * the StateStore), the ledger and those states saved to state.json, and only then each fresh
 * event published: a crash can lose the event being published, never publish it twice.
 *
 * Batches are handled one at a time, in arrival order, so a push and a poll that carry the same
 * event meet in the ledger and the later one is dropped.
 */
import { moduleDeviceId, personDeviceId } from '../devices/ids.js';
import type { Device, DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { DeviceEventPayload } from '../mqtt/topics.js';
import type { SecurityEvent } from '../netatmo/api-types.js';
import type { StateStore } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';
import { type EventEffect, effectsOf, mergeEffects } from './event-effects.js';
import type { EventLedger } from './event-ledger.js';
import { fromPolled, fromPush, type SecurityEventRecord } from './security-event.js';
import type { SecurityPublisher } from './security-publisher.js';

const log = childLogger('security');

/** Device families whose alarm state only events tell. */
const ALARM_FAMILIES = new Set(['smoke_co']);
/** A polled event this much older than now should have been pushed already. */
const PUSH_GRACE_S = 60;

export interface SecurityHubOptions {
  store: StateStore;
  /** Applies event-made states in turn with the polls (DeviceSync.applyEventStates). */
  writer: { applyEventStates(partials: ReadonlyMap<string, DeviceState>): Promise<void> };
  publisher: SecurityPublisher;
  ledger: EventLedger;
  clock: Clock;
  /** A camera's base URL, for pictures Netatmo gives as `{filename}`. */
  cameraUrl(moduleId: string): string | undefined;
  /** Saves state.json (the ledger and the states) now. */
  persist(): Promise<void>;
  /** Whether pushes flow; told when a poll finds an event no push brought. */
  pushes?: { readonly active: boolean; missed(): void };
}

export interface SecurityHubStats {
  /** Events published, by how they first arrived. */
  published: { poll: number; push: number };
  /** Copies dropped because the event was handled already (a push and its poll, overlapping reads). */
  duplicates: number;
  /** Events not published because they were history (first read, or older than the horizon). */
  history: number;
}

export class SecurityHub {
  readonly #o: SecurityHubOptions;
  readonly #stats: SecurityHubStats = { published: { poll: 0, push: 0 }, duplicates: 0, history: 0 };
  #queue: Promise<void> = Promise.resolve();

  constructor(options: SecurityHubOptions) {
    this.#o = options;
  }

  stats(): SecurityHubStats {
    return { ...this.#stats, published: { ...this.#stats.published } };
  }

  /** A page of one home's `getevents` (newest first, as Netatmo answers). */
  polled(homeId: string, events: readonly SecurityEvent[]): Promise<void> {
    return this.#enqueue(async () => {
      const records = events.flatMap((e) => fromPolled(homeId, e, (id) => this.#o.cameraUrl(id)));
      const firstRead = !this.#o.ledger.baselined(homeId);
      const now = this.#nowSec();
      const { fresh, history } = this.#o.ledger.admitPolled(homeId, records, now);
      this.#stats.duplicates += records.length - fresh.length - history.length;
      const pushes = this.#o.pushes;
      if (pushes?.active && fresh.some((r) => r.time < now - PUSH_GRACE_S)) {
        log.info('a poll found an event the webhook did not push: polling events at the normal rate again');
        pushes.missed();
      }
      await this.#handle(homeId, fresh, history, firstRead);
    });
  }

  /** Whether events older than this page may still be new (page on backwards to find them). */
  gapBehind(homeId: string, events: readonly SecurityEvent[]): boolean {
    const records = events.flatMap((e) => fromPolled(homeId, e, () => undefined));
    return this.#o.ledger.gapBehind(homeId, records);
  }

  /** A webhook payload; resolves true when it was a security event (new or not). */
  pushed(payload: Record<string, unknown>): Promise<boolean> {
    const record = fromPush(payload, this.#nowSec());
    if (!record) return Promise.resolve(false);
    return this.#enqueue(async () => {
      if (!this.#o.ledger.admitPushed(record.homeId, record, this.#nowSec())) {
        this.#stats.duplicates += 1;
        return;
      }
      await this.#handle(record.homeId, [record], [], false);
    }).then(() => true);
  }

  /** Resolves once every batch handed in so far is handled. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #handle(
    homeId: string,
    fresh: SecurityEventRecord[],
    history: SecurityEventRecord[],
    firstRead: boolean,
  ): Promise<void> {
    if (fresh.length + history.length === 0 && !firstRead) return;
    const device = (id: string): Device | undefined => this.#o.store.device(id);
    const effects: EventEffect[] = [
      ...history.flatMap((r) => effectsOf(r, device).filter((e) => e.sticky)),
      ...fresh.flatMap((r) => effectsOf(r, device)),
    ];
    if (firstRead) effects.unshift(...this.#quietAlarms(homeId));
    await this.#o.writer.applyEventStates(mergeEffects(effects));
    await this.#o.persist();
    this.#stats.history += history.length;
    for (const record of fresh) await this.#publish(record);
    await this.#publishSnapshots([...history, ...fresh]);
  }

  /** At a home's first read: detectors with no alarm state yet are quiet (an alarm would be an event). */
  #quietAlarms(homeId: string): EventEffect[] {
    return this.#o.store
      .devices()
      .filter((d) => d.homeId === homeId && ALARM_FAMILIES.has(d.family))
      .filter((d) => (this.#o.store.state(d.id)?.alarm ?? null) === null)
      .map((d) => ({ deviceId: d.id, state: { alarm: false }, sticky: true }));
  }

  async #publish(record: SecurityEventRecord): Promise<void> {
    const device = this.#o.store.device(moduleDeviceId(record.moduleId));
    if (!device) {
      log.debug(`event ${record.netatmoType} of an unknown device ${record.moduleId}: not published`);
      return;
    }
    this.#stats.published[record.via] += 1;
    await this.#o.publisher.event(device, this.#payload(record));
  }

  /** The newest picture per device among the events just handled (`records` are oldest first). */
  async #publishSnapshots(records: SecurityEventRecord[]): Promise<void> {
    const newest = new Map<string, SecurityEventRecord>();
    for (const record of records) if (record.snapshotUrl) newest.set(record.moduleId, record);
    for (const record of newest.values()) {
      const device = this.#o.store.device(moduleDeviceId(record.moduleId));
      if (!device || !record.snapshotUrl) continue;
      await this.#o.publisher.snapshot(device, {
        url: record.snapshotUrl,
        event_type: record.name,
        event_id: record.eventId,
        time: new Date(record.time * 1000).toISOString(),
      });
    }
  }

  #payload(r: SecurityEventRecord): DeviceEventPayload {
    const payload: DeviceEventPayload = {
      event_type: r.name,
      event_id: r.eventId,
      netatmo_type: r.netatmoType,
      time: new Date(r.time * 1000).toISOString(),
      via: r.via,
    };
    if (r.subeventId !== undefined) payload.subevent_id = r.subeventId;
    if (r.subType !== undefined) payload.sub_type = r.subType;
    if (r.message !== undefined) payload.message = r.message;
    if (r.snapshotUrl !== undefined) payload.snapshot_url = r.snapshotUrl;
    if (r.vignetteUrl !== undefined) payload.vignette_url = r.vignetteUrl;
    if (r.isArrival !== undefined) payload.is_arrival = r.isArrival;
    if (r.personIds.length > 0) {
      payload.persons = r.personIds.map((id) => {
        const name = this.#o.store.device(personDeviceId(id))?.name;
        return name === undefined ? { id } : { id, name };
      });
    }
    return payload;
  }

  #nowSec(): number {
    return Math.floor(this.#o.clock.now() / 1000);
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch((error: unknown) => {
      log.error(`handling security events failed: ${(error as Error).message}`);
    });
    return run;
  }
}
