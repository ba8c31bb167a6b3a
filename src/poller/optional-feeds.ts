/**
 * Weather stations and home coaches are read by endpoints of their own, and many accounts have
 * neither: each is probed once, dropped from the plan while the account has none, and asked
 * about again after each topology read (devices may have been added).
 */
export type OptionalFeed = 'weather' | 'homecoach';
type Presence = 'unknown' | 'present' | 'absent';

export class OptionalFeeds {
  readonly #presence: Record<OptionalFeed, Presence> = { weather: 'unknown', homecoach: 'unknown' };

  /** Still worth a place in the plan (present, or not asked yet). */
  wanted(feed: OptionalFeed): boolean {
    return this.#presence[feed] !== 'absent';
  }

  /** Records what a read (or a missing scope) said; true when the plan must change. */
  set(feed: OptionalFeed, present: boolean): boolean {
    const wasAbsent = this.#presence[feed] === 'absent';
    this.#presence[feed] = present ? 'present' : 'absent';
    return wasAbsent === present;
  }

  /** Asks about absent feeds again at their next planned read. */
  reprobe(): void {
    for (const feed of ['weather', 'homecoach'] as const) {
      if (this.#presence[feed] === 'absent') this.#presence[feed] = 'unknown';
    }
  }
}
