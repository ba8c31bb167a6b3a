/**
 * The start times of recent calls, oldest first: the memory behind the gate's sliding
 * windows. A start at `t` is allowed under "at most `limit` starts in any window of
 * `windowMs`" when the `limit`-th newest start is at least `windowMs` old, which bounds
 * every half-open window [a, a + windowMs) to `limit` starts.
 */
export class StartLog {
  readonly #horizonMs: number;
  #times: number[] = [];
  /** Index of the oldest kept entry; pruned entries are dropped in batches. */
  #head = 0;

  /** @param horizonMs how long starts are remembered (the longest window asked about). */
  constructor(horizonMs: number) {
    this.#horizonMs = horizonMs;
  }

  get size(): number {
    return this.#times.length - this.#head;
  }

  /** Records a start. A clock that steps back is clamped so the log stays sorted. */
  record(at: number): void {
    const last = this.last();
    this.#times.push(last !== undefined && at < last ? last : at);
  }

  last(): number | undefined {
    return this.size > 0 ? this.#times[this.#times.length - 1] : undefined;
  }

  /** Forgets starts older than the horizon. */
  prune(now: number): void {
    const cutoff = now - this.#horizonMs;
    while (this.#head < this.#times.length && (this.#times[this.#head] ?? 0) <= cutoff) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Starts strictly after `from`. */
  countAfter(from: number): number {
    return this.#times.length - this.#firstIndexAfter(from);
  }

  /** Earliest time a new start keeps every `windowMs` window at or under `limit` starts. */
  earliestStart(limit: number, windowMs: number): number {
    if (limit <= 0) return Number.POSITIVE_INFINITY;
    if (this.size < limit) return Number.NEGATIVE_INFINITY;
    return (this.#times[this.#times.length - limit] ?? 0) + windowMs;
  }

  /** Counts of starts in `buckets` consecutive buckets of `bucketMs` beginning at `from`. */
  histogram(from: number, bucketMs: number, buckets: number): number[] {
    const counts = new Array<number>(buckets).fill(0);
    for (let i = this.#head; i < this.#times.length; i++) {
      const bucket = Math.floor(((this.#times[i] ?? 0) - from) / bucketMs);
      if (bucket >= 0 && bucket < buckets) counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    return counts;
  }

  #firstIndexAfter(from: number): number {
    let lo = this.#head;
    let hi = this.#times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#times[mid] ?? 0) > from) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
