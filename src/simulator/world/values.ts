/**
 * A mutable record whose every field remembers when it last changed (simulated ms).
 * Benchmarks measure staleness of the bridge's view against these times.
 */
export type Fields = Record<string, unknown>;

/** Told of every real change of a tracked value (benchmarks log changes as they happen). */
export type ChangeListener = (id: string, field: string, value: unknown, at: number) => void;

export class TrackedEntity {
  readonly fields: Fields;
  readonly changedAt: Record<string, number> = {};
  onChange: ChangeListener | undefined;

  constructor(
    readonly id: string,
    initial: Fields,
    createdAt: number,
  ) {
    this.fields = structuredClone(initial);
    for (const key of Object.keys(this.fields)) this.changedAt[key] = createdAt;
  }

  get(key: string): unknown {
    return this.fields[key];
  }

  num(key: string): number | undefined {
    const v = this.fields[key];
    return typeof v === 'number' ? v : undefined;
  }

  /** Sets a field; the change time moves only when the value really changes. */
  set(key: string, value: unknown, now: number): void {
    if (value === undefined) {
      if (key in this.fields) {
        delete this.fields[key];
        this.changedAt[key] = now;
        this.onChange?.(this.id, key, undefined, now);
      }
      return;
    }
    if (!sameValue(this.fields[key], value)) {
      this.fields[key] = value;
      this.changedAt[key] = now;
      this.onChange?.(this.id, key, value, now);
    }
  }

  snapshot(): Fields {
    return structuredClone(this.fields);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
