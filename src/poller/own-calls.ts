/**
 * The poller's own calls of the last hour: what the plan subtracts from the gate's count to
 * see how much others (commands, other feeds' pages) use.
 */
const HOUR_MS = 3_600_000;

export class OwnCalls {
  #times: number[] = [];

  record(at: number, calls = 1): void {
    for (let i = 0; i < calls; i++) this.#times.push(at);
  }

  /** A call the gate never sent (throttle window, deadline) was not one. */
  forget(at: number): void {
    const index = this.#times.lastIndexOf(at);
    if (index >= 0) this.#times.splice(index, 1);
  }

  lastHour(now: number): number {
    const since = now - HOUR_MS;
    while (this.#times.length > 0 && (this.#times[0] ?? 0) <= since) this.#times.shift();
    return this.#times.length;
  }
}
