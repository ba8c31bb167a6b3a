/**
 * Security in the simulated world: raises events (control endpoint, generator, API side
 * effects) into each home's event list, applies what they change in homestatus, serves their
 * pictures, moves persons, and pushes events and energy changes to the registered webhook.
 */
import type { SecurityEvent } from '../../netatmo/api-types.js';
import type { Clock } from '../../util/clock.js';
import { invalid, missing } from '../api-error.js';
import { SeededRandom } from '../random.js';
import type { HomeState, World } from '../world/world.js';
import { findDevice, personCamera } from './devices.js';
import { applyEffects } from './effects.js';
import { diffHome, snapshotHome } from './energy-pushes.js';
import { buildEvent, EventIds, type EventSpec, type RaisedEvent } from './event-builder.js';
import { EventGenerator, type EventGeneratorOptions } from './event-generator.js';
import { EventLog } from './event-log.js';
import { MediaStore, type PictureRef } from './media.js';
import { knownPersons, markAway, markHome, personName, personStatus } from './persons.js';
import { activationPayload, eventPayloads, type PushAccount } from './push-payloads.js';
import { checkRaiseRequest } from './request.js';
import { type WebhookOptions, Webhooks } from './webhooks.js';

export interface SecurityOptions {
  webhooks?: WebhookOptions;
  /** Start the scripted event generator with these options (true: defaults). */
  eventGenerator?: boolean | EventGeneratorOptions;
  seed?: number;
  /** Name of the app in person events it causes ("<app> set John as Home"). */
  appName?: string;
}

/** GET /__sim/stats additions. */
export interface SecurityStats {
  events_raised: number;
  webhook: { registered: boolean; banned: boolean; delivered: number; failed: number; suppressed: number };
}

export class SecurityService {
  readonly media = new MediaStore();
  readonly events: EventLog;
  readonly webhooks: Webhooks;
  readonly generator: EventGenerator;
  readonly #world: World;
  readonly #clock: Clock;
  readonly #account: () => PushAccount;
  readonly #ids: EventIds;
  readonly #faces = new Map<string, PictureRef>();
  readonly #timers = new Set<() => void>();
  readonly #options: SecurityOptions;
  #raised = 0;
  /** Told of every raised event (benchmarks time events with it). */
  onRaised: ((homeId: string, event: SecurityEvent) => void) | undefined;

  constructor(
    world: World,
    clock: Clock,
    account: () => PushAccount,
    secret: () => string,
    options: SecurityOptions = {},
  ) {
    this.#world = world;
    this.#clock = clock;
    this.#account = account;
    this.#options = options;
    // Ids draw from their own stream, so raising events does not shift the weather drift.
    this.#ids = new EventIds(new SeededRandom((options.seed ?? 1) ^ 0x5ec0));
    this.events = new EventLog(world);
    this.webhooks = new Webhooks(clock, secret, options.webhooks);
    this.generator = new EventGenerator(world, clock, (spec, closesAfterMs) =>
      this.raise(spec, closesAfterMs),
    );
  }

  /**
   * Called once the server listens at `baseUrl`: camera URLs, person faces and the pictures of
   * seeded events now point at the simulator; the generator starts if configured.
   */
  attach(baseUrl: string): void {
    this.media.setBase(baseUrl);
    const now = this.#world.advance();
    const nowSec = Math.floor(now / 1000);
    for (const home of this.#world.homes.values()) {
      for (const module of home.modules.values()) {
        const type = String(module.get('type'));
        if (typeof module.get('vpn_url') === 'string')
          module.set('vpn_url', this.media.camera(module.id, type).vpnUrl, now);
        if (typeof module.get('local_url') === 'string')
          module.set('local_url', this.media.camera(module.id, type).localUrl, now);
      }
      for (const person of knownPersons(home)) {
        if (typeof person.url !== 'string') continue;
        const face = this.media.newPicture(this.#ids.objectId(nowSec));
        person.url = face.url;
        this.#faces.set(person.id, face);
      }
    }
    for (const list of Object.values(this.#world.events)) {
      for (const event of list) this.#servePictures(event, nowSec);
    }
    const generator = this.#options.eventGenerator;
    if (generator) this.generator.start(generator === true ? {} : generator);
  }

  /** Raises an event from a control request; throws an Error naming what is wrong. */
  raiseRequest(input: Record<string, unknown>): SecurityEvent {
    const { spec, closesAfterMs } = checkRaiseRequest(this.#world, input);
    return structuredClone(this.raise(spec, closesAfterMs).event);
  }

  raise(spec: EventSpec, closesAfterMs?: number): RaisedEvent {
    const now = this.#world.advance();
    const raised = buildEvent(spec, Math.floor(now / 1000), this.#ids, this.media);
    this.events.add(raised.homeId, raised.event);
    this.onRaised?.(raised.homeId, structuredClone(raised.event));
    applyEffects(raised, now);
    for (const payload of eventPayloads(raised, this.#account(), (id) => this.#faces.get(id))) {
      this.webhooks.push(payload);
    }
    this.#raised++;
    if (closesAfterMs !== undefined) {
      const module = spec.device.home.modules.get(spec.device.id);
      this.#later(closesAfterMs, () => module?.set('status', 'closed', this.#world.advance()));
    }
    return raised;
  }

  /**
   * Runs a write to `homeId` (API call or simulated resident), then pushes what Netatmo would
   * push about it: setpoint and home mode changes, floodlight mode, and camera on/off events.
   */
  observe<T>(homeId: string | undefined, write: () => T): T {
    const home = homeId === undefined ? undefined : this.#world.homes.get(homeId);
    if (!home || homeId === undefined) return write();
    const before = snapshotHome(home);
    const result = write();
    const nowSec = Math.floor(this.#clock.now() / 1000);
    const changes = diffHome(homeId, home, before, this.#account(), () => this.#ids.objectId(nowSec));
    for (const payload of changes.pushes) this.webhooks.push(payload);
    for (const { cameraId, on } of changes.monitoring) {
      const device = findDevice(this.#world, cameraId);
      if (device) this.raise({ device, type: on ? 'on' : 'off' });
    }
    return result;
  }

  /** setpersonsaway: one known person, or everybody (the home is empty). */
  setPersonsAway(homeId: string | undefined, personId: string | undefined): void {
    const home = this.#home(homeId);
    if (personId !== undefined) personStatus(home, personId);
    const ids = personId !== undefined ? [personId] : knownPersons(home).map((p) => p.id);
    const names = personId !== undefined ? personName(home, personId) : 'everybody';
    this.#movePersons(home, 'person_away', ids, `${this.#appName()} set ${names} as "Away"`);
  }

  /** setpersonshome: the listed known persons (all checked before anything changes). */
  setPersonsHome(homeId: string | undefined, personIds: string[]): void {
    const home = this.#home(homeId);
    if (personIds.length === 0) throw missing('person_ids');
    for (const id of personIds) personStatus(home, id);
    const names = personIds.map((id) => personName(home, id)).join(', ');
    this.#movePersons(home, 'person_home', personIds, `${this.#appName()} set ${names} as "Home"`);
  }

  registerWebhook(url: string | undefined, appTypes: string | undefined): void {
    this.webhooks.register(url, appTypes, activationPayload(this.#account()));
  }

  stats(): SecurityStats {
    const status = this.webhooks.status();
    return {
      events_raised: this.#raised,
      webhook: {
        registered: status.registered,
        banned: status.banned,
        delivered: status.counts.delivered,
        failed: status.counts.failed,
        suppressed: status.counts.suppressed,
      },
    };
  }

  resetStats(): void {
    this.#raised = 0;
    this.webhooks.resetCounts();
  }

  close(): void {
    this.generator.stop();
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.webhooks.close();
  }

  #home(homeId: string | undefined): HomeState {
    if (homeId === undefined || homeId === '') throw missing('home_id');
    const home = this.#world.homes.get(homeId);
    if (!home) throw invalid('Invalid home_id');
    return home;
  }

  #appName(): string {
    return this.#options.appName ?? 'Your app';
  }

  /** Moves persons through a person_away/person_home event of the home's indoor camera, if any. */
  #movePersons(
    home: HomeState,
    type: 'person_away' | 'person_home',
    personIds: string[],
    message: string,
  ): void {
    const camera = personCamera(this.#world, home.topology.id);
    if (camera) this.raise({ device: camera, type, personIds, message });
    else for (const id of personIds) (type === 'person_away' ? markAway : markHome)(home, id);
  }

  #later(ms: number, action: () => void): void {
    const cancel = this.#clock.schedule(ms, () => {
      this.#timers.delete(cancel);
      action();
    });
    this.#timers.add(cancel);
  }

  /** Seeded events keep their shape; their `{url}` pictures become ones the simulator serves. */
  #servePictures(event: Record<string, unknown>, nowSec: number): void {
    for (const key of ['snapshot', 'vignette']) {
      const picture = event[key] as Record<string, unknown> | undefined;
      if (picture && typeof picture.url === 'string')
        picture.url = this.media.newPicture(this.#ids.objectId(nowSec)).url;
    }
    if (Array.isArray(event.subevents)) {
      for (const sub of event.subevents as Array<Record<string, unknown>>) this.#servePictures(sub, nowSec);
    }
  }
}
