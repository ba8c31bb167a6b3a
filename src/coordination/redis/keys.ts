/** Every Redis key of the coordination, under `<prefix>:`. */
export class RedisKeys {
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  token(account: string): string {
    return `${this.#prefix}:token:${account}`;
  }

  refreshLock(account: string): string {
    return `${this.#prefix}:refresh-lock:${account}`;
  }

  userStarts(account: string): string {
    return `${this.#prefix}:starts:user:${account}`;
  }

  get appStarts(): string {
    return `${this.#prefix}:starts:app`;
  }

  userThrottle(account: string): string {
    return `${this.#prefix}:throttle:user:${account}`;
  }

  get appThrottle(): string {
    return `${this.#prefix}:throttle:app`;
  }

  /** Accounts throttled lately (score: their window's end): tells a user's limit from the app's. */
  get recentThrottles(): string {
    return `${this.#prefix}:throttle:recent`;
  }

  lease(account: string): string {
    return `${this.#prefix}:lease:${account}`;
  }

  /** Live processes (score: when their membership ends, Redis time). */
  get processes(): string {
    return `${this.#prefix}:processes`;
  }

  /** Created by the first process after Redis (re)started empty: tells a restart apart. */
  get epoch(): string {
    return `${this.#prefix}:epoch`;
  }
}
