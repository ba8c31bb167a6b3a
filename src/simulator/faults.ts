/** Fault rules set through POST /__sim/faults, matched against each request. */
import type { FaultKind, FaultRequest, FaultRule } from './types.js';

const KINDS: readonly FaultKind[] = [
  'latency',
  'status',
  'timeout',
  'reset',
  'malformed_json',
  'truncated',
  'html',
  'throttle',
  'token_down',
  'body',
];

/** Faults that spoil the answer after the request was processed (the write did happen). */
export const POST_PROCESSING: ReadonlySet<FaultKind> = new Set(['malformed_json', 'truncated']);

export interface FaultMatch {
  /** Total latency to add before answering. */
  latencyMs: number;
  /** The first non-latency rule that matched, if any. */
  rule?: FaultRule;
}

export class FaultInjector {
  #rules: FaultRule[] = [];

  /** Validates a request body; throws an Error with a message for the caller when it is bad. */
  static parse(input: unknown): FaultRequest {
    if (typeof input !== 'object' || input === null) throw new Error('fault request must be a JSON object');
    const req = input as FaultRequest;
    for (const rule of req.rules ?? []) {
      if (!KINDS.includes(rule.kind))
        throw new Error(`unknown fault kind '${String(rule.kind)}'; one of ${KINDS.join(', ')}`);
      if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) {
        throw new Error('count must be a positive integer');
      }
      if (rule.endpoints !== undefined && !Array.isArray(rule.endpoints))
        throw new Error('endpoints must be a list');
      if (rule.kind === 'body' && rule.body === undefined)
        throw new Error("a 'body' rule needs a body: the JSON answer to send");
    }
    if (req.unreachable_modules !== undefined && !Array.isArray(req.unreachable_modules)) {
      throw new Error('unreachable_modules must be a list of module ids');
    }
    return req;
  }

  apply(request: FaultRequest): void {
    if (request.clear) this.#rules = [];
    for (const rule of request.rules ?? []) this.#rules.push({ ...rule });
  }

  get rules(): readonly FaultRule[] {
    return this.#rules;
  }

  /** The faults for one request to `endpoint` (`token` for /oauth2/token); consumes counts. */
  match(endpoint: string): FaultMatch {
    const result: FaultMatch = { latencyMs: 0 };
    for (const rule of this.#rules) {
      if (!appliesTo(rule, endpoint)) continue;
      if (rule.kind === 'latency') result.latencyMs += rule.ms ?? 1000;
      else if (result.rule) continue;
      else result.rule = rule;
      if (rule.count !== undefined) rule.count--;
    }
    this.#rules = this.#rules.filter((r) => r.count === undefined || r.count > 0);
    return result;
  }
}

function appliesTo(rule: FaultRule, endpoint: string): boolean {
  if (rule.endpoints) return rule.endpoints.includes(endpoint);
  if (rule.kind === 'token_down') return endpoint === 'token';
  return endpoint !== 'token' && endpoint !== 'authorize';
}
