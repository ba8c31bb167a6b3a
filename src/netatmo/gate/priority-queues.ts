/**
 * One FIFO per priority. The gate always looks at the head of the most urgent non-empty
 * queue, so a command never waits behind queued polls.
 */
import type { Priority } from '../types.js';

/** Most urgent first. */
export const PRIORITIES: readonly Priority[] = ['command', 'state', 'background'];

export class PriorityQueues<T extends { readonly priority: Priority }> {
  readonly #queues: Record<Priority, T[]> = { command: [], state: [], background: [] };

  push(item: T): void {
    this.#queues[item.priority].push(item);
  }

  /** Puts an item back at the head of its queue (it was taken out and could not go). */
  unshift(item: T): void {
    this.#queues[item.priority].unshift(item);
  }

  /** The item that should go next: the oldest of the most urgent priority. */
  peek(): T | undefined {
    for (const priority of PRIORITIES) {
      const head = this.#queues[priority][0];
      if (head !== undefined) return head;
    }
    return undefined;
  }

  shift(): T | undefined {
    for (const priority of PRIORITIES) {
      const queue = this.#queues[priority];
      if (queue.length > 0) return queue.shift();
    }
    return undefined;
  }

  /** Removes one item wherever it is; false when it was not queued. */
  remove(item: T): boolean {
    const queue = this.#queues[item.priority];
    const index = queue.indexOf(item);
    if (index < 0) return false;
    queue.splice(index, 1);
    return true;
  }

  /** Removes and returns every item matching `predicate`, in queue order. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (const priority of PRIORITIES) {
      const kept: T[] = [];
      for (const item of this.#queues[priority]) (predicate(item) ? removed : kept).push(item);
      this.#queues[priority] = kept;
    }
    return removed;
  }

  /** Every queued item, most urgent first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const priority of PRIORITIES) yield* this.#queues[priority];
  }

  counts(): Record<Priority, number> {
    return {
      command: this.#queues.command.length,
      state: this.#queues.state.length,
      background: this.#queues.background.length,
    };
  }

  get size(): number {
    return this.#queues.command.length + this.#queues.state.length + this.#queues.background.length;
  }
}
