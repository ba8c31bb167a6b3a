/**
 * Feeds: further reads the planner schedules beside homestatus, weather and home coach, within
 * the same budget (security events per home; energy readings per meter could be another).
 * A feed says which targets are worth reading, how much each weighs and how fast it may go; the
 * poller plans, phases, paces, backs off and reports them like its own publishers.
 *
 * Adding one: implement PollFeed, pass it in `PollerOptions.feeds`, and call
 * `Poller.feedsChanged(reason)` when its targets or weights change other than with topology
 * (they are asked again at every re-plan, topology reads included).
 */
import type { HomesDataBody } from '../netatmo/api-types.js';
import type { CallOptions } from '../netatmo/types.js';
import type { PublisherId } from './ports.js';

export interface FeedTarget {
  /** What one read covers (a home id, a meter id); unique within the feed. */
  id: string;
  /** Share of the budget relative to one home's homestatus (weight 1). */
  weight: number;
  /** Never read faster than this. */
  floorMs: number;
  /** The home the read concerns (the gate's per-home bookkeeping). */
  homeId?: string;
}

export interface PollFeed {
  /** Short name, e.g. `events`: its publishers are `feed:<name>:<target id>`. */
  readonly name: string;
  /** Gate priority of its reads. Default `background`. */
  readonly priority?: 'state' | 'background';
  /** The targets worth reading for this topology (undefined before the first topology read). */
  targets(topology: HomesDataBody | undefined): FeedTarget[];
  /**
   * Reads one target and hands over what it read. Resolves with the number of API calls it made
   * when that is more than one (paging), so the plan counts them; rejects when the read failed
   * (the poller backs off and reports it like any publisher's failure).
   */
  read(targetId: string, call: Partial<CallOptions>): Promise<number | undefined>;
}

export function feedPublisherId(feed: string, targetId: string): PublisherId {
  return `feed:${feed}:${targetId}`;
}

/** One feed target as the poller plans and reads it. */
export interface FeedRef {
  feed: PollFeed;
  target: FeedTarget;
}

/** Every feed's targets for this topology, by publisher id. */
export function feedTargets(
  feeds: readonly PollFeed[],
  topology: HomesDataBody | undefined,
): Map<PublisherId, FeedRef> {
  const out = new Map<PublisherId, FeedRef>();
  for (const feed of feeds) {
    for (const target of feed.targets(topology))
      out.set(feedPublisherId(feed.name, target.id), { feed, target });
  }
  return out;
}
