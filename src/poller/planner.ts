/**
 * The poll planner: turns an hourly call budget into poll intervals. Pure: no clock, no I/O.
 *
 * Policy:
 * - A share of the budget (default 20 %) is kept for commands and the confirmation reads that
 *   follow them; polls never plan into it.
 * - Topology (homesdata) changes rarely: once every few hours.
 * - The rest is shared by weighted max-min fairness: every home's homestatus has weight 1,
 *   the weather stations (one getstationsdata covers all) and the home coaches (one
 *   gethomecoachsdata covers all) weight 0.15 each, because homestatus is what users watch and
 *   act on — growing by 0.15 per ten homes beyond ten, since one weather call serves every
 *   home's station (100 homes must not wait hours for their weather). Every publisher has a floor interval it is never polled faster than: homestatus
 *   30 s (modules report every few minutes: faster buys little and costs quota), weather
 *   and home coach 5 min (stations upload every 5-10 min: faster polling only wastes quota).
 *   Budget a capped publisher cannot use goes to the others.
 * - Feeds (poller/feeds.ts: security events per home, energy per meter) claim their own
 *   weights and floors per target and share the same water-filling; they sit between the home
 *   slots, and a feed with many targets for its budget spreads its first reads over its interval.
 * - Homes are phased evenly over one interval so they never fire together.
 *
 * With B calls/hour for H homes no poller can beat a mean homestatus staleness of
 * H·3600/(2B) s; the plan reports how far from that bound it is (against the whole budget B,
 * reserve included, so the ratio is never flattered; what feeds use is left out of B).
 */

export interface PlanInput {
  /** Calls per hour the gate plans for this profile (gateLimitsForProfile). */
  budgetPerHour: number;
  /** Calls others (commands) made in the last hour beyond the reserve's share, if known. */
  otherUsePerHour?: number;
  /** Fraction of the budget kept for commands (0..0.9). Default 0.2. */
  commandReserve?: number;
  /** Homes with live state worth polling (homes without modules are left out by the caller). */
  homeIds: readonly string[];
  /** Whether getstationsdata is worth polling (stations exist or are not yet known). */
  weather: boolean;
  /** Whether gethomecoachsdata is worth polling. */
  homeCoach: boolean;
  topologyIntervalMs?: number;
  homeFloorMs?: number;
  weatherFloorMs?: number;
  homeCoachFloorMs?: number;
  /** Further publishers (feed targets), each with its own weight and floor. */
  feeds?: readonly FeedClaim[];
}

/** What one feed target asks of the budget. */
export interface FeedClaim {
  /** Its publisher id (`feed:<name>:<target>`), unique in the plan. */
  key: string;
  /** Weight relative to one home's homestatus (1). */
  weight: number;
  /** It is never read faster than this. */
  floorMs: number;
}

export interface PublisherSchedule {
  intervalMs: number;
  /** Delay of the first call after the plan takes effect, so publishers do not fire together. */
  offsetMs: number;
  callsPerHour: number;
}

export interface HomeSchedule extends PublisherSchedule {
  homeId: string;
}

export interface FeedSchedule extends PublisherSchedule {
  key: string;
}

export interface StalenessEstimate {
  /** Mean age of homestatus data when a change happens: half the interval. */
  meanHomeStatusSec: number;
  /** H·3600/(2B): the best any poller could do with the whole budget B. */
  boundSec: number;
  /** meanHomeStatusSec / boundSec (>= 1). */
  ratio: number;
}

export interface Plan {
  budgetPerHour: number;
  reservedPerHour: number;
  /** What the polls may spend per hour. */
  pollBudgetPerHour: number;
  topology: PublisherSchedule;
  weather: PublisherSchedule | null;
  homeCoach: PublisherSchedule | null;
  homes: HomeSchedule[];
  feeds: FeedSchedule[];
  /** The common homestatus interval (0 when there are no homes). */
  homeStatusIntervalMs: number;
  /** Sum of every publisher's calls per hour; never above pollBudgetPerHour. */
  expectedCallsPerHour: number;
  /** 'floor' when homestatus runs at its fastest allowed pace, 'budget' when the quota limits it. */
  limitedBy: 'floor' | 'budget';
  staleness: StalenessEstimate | null;
  /** Human-readable notes about long staleness on tiny budgets. */
  warnings: string[];
  /** One paragraph for the log and the demo. */
  explanation: string;
}

export const DEFAULT_COMMAND_RESERVE = 0.2;
export const DEFAULT_TOPOLOGY_INTERVAL_MS = 3 * 3_600_000;
/**
 * A home's live state is read at most every 30 s: faster buys little (modules report every few
 * minutes, and the bridge's own commands are confirmed by an extra read), and one home on an own
 * app then uses about a third of the quota, leaving the rest to commands and other apps.
 */
export const DEFAULT_HOME_FLOOR_MS = 30_000;
export const DEFAULT_WEATHER_FLOOR_MS = 5 * 60_000;
export const DEFAULT_HOME_COACH_FLOOR_MS = 5 * 60_000;
/** Weight of the weather and home-coach publishers relative to one home's homestatus. */
export const STATION_WEIGHT = 0.15;

/** Share of the hourly poll budget one feed's targets may take in their first home interval. */
const MAX_FEED_BURST_SHARE = 0.1;
/** Above these intervals the plan warns that state will be visibly stale. */
const HOME_STALE_WARNING_MS = 15 * 60_000;
const STATION_STALE_WARNING_MS = 60 * 60_000;
/** The poller always keeps at least this much so it can recover once quota frees up. */
const MIN_POLL_BUDGET = 1;

const HOUR_MS = 3_600_000;
const NO_HOME_SLOT_MS = 30_000;

interface Claimant {
  key: string;
  weight: number;
  maxPerHour: number;
}

/** Weighted max-min fair split of `budget` among claimants, each capped at its maxPerHour. */
function waterFill(budget: number, claimants: Claimant[]): Map<string, number> {
  const shares = new Map<string, number>();
  const order = [...claimants].sort((a, b) => a.maxPerHour / a.weight - b.maxPerHour / b.weight);
  let remaining = budget;
  let weightLeft = order.reduce((sum, c) => sum + c.weight, 0);
  for (const c of order) {
    const level = weightLeft > 0 ? remaining / weightLeft : 0;
    const share = Math.min(c.maxPerHour, level * c.weight);
    shares.set(c.key, share);
    remaining -= share;
    weightLeft -= c.weight;
  }
  return shares;
}

function schedule(perHour: number, offsetMs: number): PublisherSchedule {
  // Rounding the interval up keeps the realised rate at or below the share.
  const intervalMs = Math.ceil(HOUR_MS / perHour);
  return { intervalMs, offsetMs: Math.floor(offsetMs), callsPerHour: HOUR_MS / intervalMs };
}

function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function validate(input: PlanInput): void {
  if (!(input.budgetPerHour > 0))
    throw new RangeError(`budgetPerHour must be > 0, got ${input.budgetPerHour}`);
  const reserve = input.commandReserve ?? DEFAULT_COMMAND_RESERVE;
  if (!(reserve >= 0 && reserve <= 0.9))
    throw new RangeError(`commandReserve must be in [0, 0.9], got ${reserve}`);
}

/** Chooses poll intervals and phases for the given budget and publishers. */
export function planPolls(input: PlanInput): Plan {
  validate(input);
  const reserve = input.commandReserve ?? DEFAULT_COMMAND_RESERVE;
  const topologyIntervalMs = input.topologyIntervalMs ?? DEFAULT_TOPOLOGY_INTERVAL_MS;
  const homeFloorMs = input.homeFloorMs ?? DEFAULT_HOME_FLOOR_MS;
  const weatherFloorMs = input.weatherFloorMs ?? DEFAULT_WEATHER_FLOOR_MS;
  const coachFloorMs = input.homeCoachFloorMs ?? DEFAULT_HOME_COACH_FLOOR_MS;
  const homeIds = [...new Set(input.homeIds)];
  const H = homeIds.length;
  const warnings: string[] = [];

  const budget = input.budgetPerHour;
  const reservedPerHour = budget * reserve;
  // When commands used more than their reserve, the polls give way.
  const afterOthers = budget - Math.max(0, input.otherUsePerHour ?? 0);
  let pollBudget = Math.min(budget - reservedPerHour, afterOthers);
  if (pollBudget < MIN_POLL_BUDGET) {
    warnings.push(
      `other calls use almost the whole budget (${Math.round(afterOthers)}/h left); polling at ${MIN_POLL_BUDGET}/h`,
    );
    pollBudget = MIN_POLL_BUDGET;
  }

  // Topology gets its few calls first, but never more than a tenth of a tiny budget.
  const topologyPerHour = Math.min(HOUR_MS / topologyIntervalMs, pollBudget / 10);
  const topology = schedule(topologyPerHour, 0);

  const claimants: Claimant[] = homeIds.map((id) => ({
    key: `home:${id}`,
    weight: 1,
    maxPerHour: HOUR_MS / homeFloorMs,
  }));
  // One call covers every home's devices of that family: its weight grows with the homes
  // (slowly, so on a few homes homestatus keeps most of a tight budget).
  const familyWeight = STATION_WEIGHT * Math.max(1, H / 10);
  if (input.weather)
    claimants.push({ key: 'weather', weight: familyWeight, maxPerHour: HOUR_MS / weatherFloorMs });
  if (input.homeCoach)
    claimants.push({ key: 'homecoach', weight: familyWeight, maxPerHour: HOUR_MS / coachFloorMs });
  const feedClaims = uniqueFeeds(input.feeds ?? []);
  for (const f of feedClaims)
    claimants.push({ key: f.key, weight: f.weight, maxPerHour: HOUR_MS / f.floorMs });
  const shares = waterFill(pollBudget - topology.callsPerHour, claimants);

  const homePerHour = H > 0 ? (shares.get(`home:${homeIds[0]}`) ?? 0) : 0;
  const homeTemplate = H > 0 ? schedule(homePerHour, 0) : null;
  const homeIntervalMs = homeTemplate?.intervalMs ?? 0;
  // Homes start at i·T/H; the station publishers sit between the first two home slots (or
  // NO_HOME_SLOT_MS apart when there are no homes), so nothing fires together.
  const slotMs = H > 0 ? homeIntervalMs / H : NO_HOME_SLOT_MS;
  const homes: HomeSchedule[] = homeIds.map((homeId, i) => ({
    homeId,
    ...schedule(homePerHour, i * slotMs),
  }));
  const weather = input.weather ? schedule(shares.get('weather') ?? 0, slotMs / 3) : null;
  const homeCoach = input.homeCoach ? schedule(shares.get('homecoach') ?? 0, (2 * slotMs) / 3) : null;
  // Feed targets are spread over one home interval, halfway between home slots. A feed whose
  // first round would cost more than a tenth of the hour's poll budget (20 meters on a shared
  // app's 16 calls/h) spreads its targets over whole home intervals up to its own interval,
  // so that round never crowds out homestatus.
  const spreadMs = H > 0 ? homeIntervalMs : NO_HOME_SLOT_MS;
  const perFeed = feedsByName(feedClaims);
  const feeds: FeedSchedule[] = feedClaims.map((f, j) => {
    const s = schedule(shares.get(f.key) ?? 0, slotMs / 2 + (j * spreadMs) / feedClaims.length);
    const same = perFeed.get(feedName(f.key)) ?? [f];
    const burstFits = same.length <= pollBudget * MAX_FEED_BURST_SHARE;
    const rounds = burstFits ? 1 : Math.max(1, Math.floor(s.intervalMs / spreadMs));
    const round = Math.floor((same.indexOf(f) * rounds) / same.length);
    return { key: f.key, ...s, offsetMs: s.offsetMs + round * spreadMs };
  });

  const expectedCallsPerHour =
    topology.callsPerHour +
    homes.reduce((sum, h) => sum + h.callsPerHour, 0) +
    (weather?.callsPerHour ?? 0) +
    (homeCoach?.callsPerHour ?? 0) +
    feeds.reduce((sum, f) => sum + f.callsPerHour, 0);

  // Within 1 % of the floor counts as floor-bound (the interval is rounded up to whole ms).
  const limitedBy: Plan['limitedBy'] = H > 0 && homeIntervalMs <= homeFloorMs * 1.01 ? 'floor' : 'budget';
  let staleness: StalenessEstimate | null = null;
  if (H > 0) {
    const meanHomeStatusSec = homeIntervalMs / 2000;
    // The bound for the calls the plan makes: at its floor a plan does not spend the budget.
    // What feeds take is not the homes' to spend (like commands), so the bound leaves it out.
    const feedCalls = feeds.reduce((sum, f) => sum + f.callsPerHour, 0);
    const spent =
      limitedBy === 'floor' ? Math.min(budget, expectedCallsPerHour) - feedCalls : budget - feedCalls;
    const boundSec = (H * 3600) / (2 * spent);
    staleness = { meanHomeStatusSec, boundSec, ratio: meanHomeStatusSec / boundSec };
  }
  if (homeIntervalMs > HOME_STALE_WARNING_MS) {
    warnings.push(
      `budget is tight: each home's state is read every ${formatDuration(homeIntervalMs)}, ` +
        `so changes made outside the bridge show up ${formatDuration(homeIntervalMs / 2)} late on average`,
    );
  }
  for (const [name, s] of [
    ['weather', weather],
    ['home coach', homeCoach],
  ] as const) {
    if (s && s.intervalMs > STATION_STALE_WARNING_MS) {
      warnings.push(`${name} data is read only every ${formatDuration(s.intervalMs)}`);
    }
  }

  const plan: Plan = {
    budgetPerHour: budget,
    reservedPerHour,
    pollBudgetPerHour: pollBudget,
    topology,
    weather,
    homeCoach,
    homes,
    feeds,
    homeStatusIntervalMs: homeIntervalMs,
    expectedCallsPerHour,
    limitedBy,
    staleness,
    warnings,
    explanation: '',
  };
  plan.explanation = explainPlan(plan);
  return plan;
}

function explainPlan(plan: Plan): string {
  const parts = [
    `polling may use ${plan.budgetPerHour}/h, ${Math.round(plan.reservedPerHour)}/h of it left free for confirmation reads, ` +
      `polls planned at ${plan.expectedCallsPerHour.toFixed(1)}/h`,
  ];
  if (plan.homes.length > 0) {
    const why = plan.limitedBy === 'floor' ? 'its fastest useful pace' : 'limited by the budget';
    const phased =
      plan.homes.length > 1
        ? `, phased ${formatDuration(plan.homeStatusIntervalMs / plan.homes.length)} apart`
        : '';
    parts.push(
      `homestatus for ${plan.homes.length} home(s) every ${formatDuration(plan.homeStatusIntervalMs)} each (${why})${phased}`,
    );
  } else {
    parts.push('no homes with live state');
  }
  if (plan.weather) parts.push(`weather every ${formatDuration(plan.weather.intervalMs)}`);
  if (plan.homeCoach) parts.push(`home coach every ${formatDuration(plan.homeCoach.intervalMs)}`);
  for (const [name, schedules] of feedsByName(plan.feeds)) {
    const intervals = schedules.map((f) => f.intervalMs);
    const min = Math.min(...intervals);
    const max = Math.max(...intervals);
    const every = min === max ? formatDuration(min) : `${formatDuration(min)}-${formatDuration(max)}`;
    parts.push(`${name} for ${schedules.length} target(s) every ${every}`);
  }
  parts.push(`topology every ${formatDuration(plan.topology.intervalMs)}`);
  if (plan.staleness) {
    const s = plan.staleness;
    parts.push(
      `mean homestatus staleness ${s.meanHomeStatusSec.toFixed(1)} s vs bound ${s.boundSec.toFixed(1)} s ` +
        `(${s.ratio.toFixed(2)}×)`,
    );
  }
  return [`${parts.join('; ')}.`, ...plan.warnings.map((w) => `Warning: ${w}.`)].join(' ');
}

/** Whether two plans poll the same publishers at the same intervals (phases aside). */
export function sameSchedule(a: Plan, b: Plan): boolean {
  const key = (p: Plan): string =>
    JSON.stringify([
      p.topology.intervalMs,
      p.weather?.intervalMs,
      p.homeCoach?.intervalMs,
      p.homes.map((h) => [h.homeId, h.intervalMs]),
      p.feeds.map((f) => [f.key, f.intervalMs]),
    ]);
  return key(a) === key(b);
}

/** One claim per key (the first wins), floors at least 1 s and weights above 0. */
function uniqueFeeds(claims: readonly FeedClaim[]): FeedClaim[] {
  const byKey = new Map<string, FeedClaim>();
  for (const c of claims) {
    if (byKey.has(c.key)) continue;
    byKey.set(c.key, { key: c.key, weight: Math.max(1e-3, c.weight), floorMs: Math.max(1_000, c.floorMs) });
  }
  return [...byKey.values()];
}

/** The feed's name in a publisher key `feed:<name>:<target>`. */
function feedName(key: string): string {
  return key.split(':')[1] ?? key;
}

/** Feed claims or schedules grouped by feed name, in their order. */
function feedsByName<T extends { key: string }>(feeds: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const f of feeds) out.set(feedName(f.key), [...(out.get(feedName(f.key)) ?? []), f]);
  return out;
}
