/**
 * Freshness per account: the simulator's changes to each account's homes (ChangeLog) against
 * what a subscriber sees under `<base>/<account>/<device id>` (a PublishLog per account), on the
 * shared clock, and the bound H·3600/(2B) with the calls B the account really got. Whichever
 * process polls an account, the subscriber sees one topic tree: a move shows up as staleness.
 */
import { moduleDeviceId, roomDeviceId } from '../../src/devices/ids.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { seedForScenario } from '../../src/simulator/scenarios/index.js';
import type { Clock } from '../../src/util/clock.js';
import { ChangeLog, PublishLog } from '../freshness/recorders.js';
import { homestatusStaleness, stalenessByKind } from '../freshness/staleness.js';

export interface AccountFreshness {
  account: string;
  homes: number;
  /** API calls per hour the account got in the window. */
  callsPerHour: number;
  /** Homestatus changes measured, and of those never seen. */
  changes: number;
  unseen: number;
  /** Mean homestatus staleness (s), the bound H·3600/(2B) at its calls, and their ratio. */
  meanSec: number;
  boundSec: number;
  ratio: number;
}

export class ClusterFreshness {
  readonly #changes: ChangeLog;
  readonly #publishes = new Map<string, PublishLog>();
  /** Device id (as topics name it) → the account whose home it is in. */
  readonly #owner = new Map<string, string>();
  readonly #homes = new Map<string, number>();

  /** `accountOfUser`: simulator user → account name. */
  constructor(
    sim: RunningSimulator,
    scenario: string,
    accountOfUser: ReadonlyMap<string, string>,
    private readonly clock: Clock,
    private readonly baseTopic: string,
  ) {
    this.#changes = new ChangeLog(sim);
    const homeOwner = new Map<string, string>();
    for (const [user, homes] of Object.entries(sim.users())) {
      const account = accountOfUser.get(user);
      if (account === undefined) continue;
      this.#homes.set(account, homes.length);
      for (const home of homes) homeOwner.set(home, account);
    }
    for (const home of seedForScenario(scenario, clock.now()).homes) {
      const account = homeOwner.get(home.id);
      if (account === undefined) continue;
      for (const room of home.rooms ?? []) this.#owner.set(roomDeviceId(room.id), account);
      for (const module of home.modules ?? []) this.#owner.set(moduleDeviceId(module.id), account);
    }
  }

  async start(mqttUrl: string): Promise<void> {
    for (const account of this.#homes.keys()) {
      const log = new PublishLog(this.clock, `${this.baseTopic}/${account}`);
      this.#publishes.set(account, log);
      await log.start(mqttUrl);
    }
  }

  /** Per account, changes in [from, to) observed until `end`; `calls`: API calls in the window. */
  measure(
    window: { from: number; to: number; end: number },
    calls: ReadonlyMap<string, number>,
  ): AccountFreshness[] {
    const hours = (window.to - window.from) / 3_600_000;
    return [...this.#publishes].map(([account, publishes]) => {
      const mine = new Map([...this.#changes.series].filter(([series]) => this.#isOf(series, account)));
      const { changes, unseen, meanSec } = homestatusStaleness(
        stalenessByKind({ changes: mine, publishes: publishes.series, ...window }),
      );
      const homes = this.#homes.get(account) ?? 0;
      const callsPerHour = (calls.get(account) ?? 0) / hours;
      const boundSec = callsPerHour > 0 ? (homes * 3600) / (2 * callsPerHour) : Number.NaN;
      return { account, homes, callsPerHour, changes, unseen, meanSec, boundSec, ratio: meanSec / boundSec };
    });
  }

  #isOf(series: string, account: string): boolean {
    return this.#owner.get(series.slice(0, series.indexOf('|'))) === account;
  }

  /** Stops recording and clears what the subscribers saw retained. */
  async close(): Promise<void> {
    this.#changes.stop();
    await Promise.all([...this.#publishes.values()].map((p) => p.close()));
  }
}
