/**
 * The running integral of a rate that is constant between changes (a meter's power in W, a
 * boiler's on/off state), booked per tariff. It answers "how much between t1 and t2" for any
 * past instants, which is what getmeasure buckets need, without storing buckets.
 */
import type { TariffSplit } from './tariffs.js';

export type PerTariff = [number, number, number];

/** Bound on stored rate changes per meter; the oldest half goes when it is reached. */
const MAX_SEGMENTS = 100_000;

export class Accumulator {
  /** Start of each constant-rate segment (ms), its rate, and the integral up to its start. */
  readonly #starts: number[] = [];
  readonly #rates: number[] = [];
  readonly #totals: PerTariff[] = [];

  constructor(
    origin: number,
    rate: number,
    private readonly split: (fromMs: number, toMs: number) => TariffSplit,
  ) {
    this.#starts.push(origin);
    this.#rates.push(rate);
    this.#totals.push([0, 0, 0]);
  }

  /** Earliest instant with data: history before it is gone (or never existed). */
  get origin(): number {
    return this.#starts[0]!;
  }

  get rate(): number {
    return this.#rates.at(-1)!;
  }

  /** The rate is `rate` from `at` on; `at` before the last change is moved up to it. */
  setRate(rate: number, at: number): void {
    const last = this.#starts.length - 1;
    if (rate === this.#rates[last]) return;
    const start = this.#starts[last]!;
    if (at <= start) {
      this.#rates[last] = rate;
      return;
    }
    this.#totals.push(this.#add(this.#totals[last]!, this.#rates[last]!, start, at));
    this.#starts.push(at);
    this.#rates.push(rate);
    if (this.#starts.length > MAX_SEGMENTS) {
      const drop = MAX_SEGMENTS / 2;
      this.#starts.splice(0, drop);
      this.#rates.splice(0, drop);
      this.#totals.splice(0, drop);
    }
  }

  /** rate × ms accumulated per tariff from the origin to `t` (the rate in force is extended to `t`). */
  integral(t: number): PerTariff {
    if (t <= this.origin) return [...this.#totals[0]!];
    const i = this.#segmentAt(t);
    return this.#add(this.#totals[i]!, this.#rates[i]!, this.#starts[i]!, t);
  }

  #add(base: PerTariff, rate: number, from: number, to: number): PerTariff {
    const out: PerTariff = [...base];
    if (rate === 0) return out;
    for (const [tariff, ms] of this.split(from, to)) out[tariff] += rate * ms;
    return out;
  }

  /** Index of the last segment starting at or before `t`. */
  #segmentAt(t: number): number {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
