/** In-process leases: this process is the only one, so it owns every account at once. */
import type { AccountLeases, LeaseHandlers } from './types.js';

export class LocalLeases implements AccountLeases {
  #owned: string[] = [];
  #handlers: LeaseHandlers | undefined;

  async start(accounts: readonly string[], handlers: LeaseHandlers): Promise<void> {
    this.#handlers = handlers;
    for (const account of accounts) {
      if (this.#owned.includes(account)) continue;
      this.#owned.push(account);
      await handlers.acquired(account);
    }
  }

  async stop(): Promise<void> {
    const owned = this.#owned;
    this.#owned = [];
    for (const account of owned) await this.#handlers?.lost(account);
  }

  holds(account: string): boolean {
    return this.#owned.includes(account);
  }

  owned(): string[] {
    return [...this.#owned];
  }
}
