/**
 * POST /api/<name>: faults, then authentication (403 codes 1/2/3), then the quota (user's and
 * app's windows), then the user's access to the home or device named, then the endpoint.
 * Every answer is logged without secrets; every authenticated request counts in the usage.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { API_ENDPOINTS } from './api/endpoints.js';
import { writeTarget } from './api/security.js';
import { SimApiError } from './api-error.js';
import type { SimulatorCore } from './core.js';
import { answerFault, sendSpoiled } from './fault-responses.js';
import { POST_PROCESSING } from './faults.js';
import { parseForm, readBody, sendJson } from './http.js';
import { throttleAnswer } from './quota.js';
import type { FaultRule, SimulatorLogEntry, ThrottleDialect } from './types.js';

export async function handleApi(
  core: SimulatorCore,
  name: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const { stats, clock } = core;
  const handler = API_ENDPOINTS[name];
  const raw = await readBody(req);
  const isJson = (req.headers['content-type'] ?? '').includes('application/json');
  const params: Record<string, string> = {
    ...Object.fromEntries(url.searchParams),
    ...(isJson ? {} : parseForm(raw)),
  };
  core.onApiRequest?.(name, params);
  const entry: SimulatorLogEntry = {
    at: clock.now(),
    endpoint: name,
    status: 200,
    outcome: 'ok',
    params: { ...params },
  };
  const finish = (status: number, outcome: SimulatorLogEntry['outcome']): void => {
    entry.status = status;
    entry.outcome = outcome;
    stats.record(entry);
  };
  if (!handler) {
    sendJson(res, 404, { error: { code: 31, message: 'Method not found' } });
    finish(404, 'error');
    return;
  }
  stats.count(name);

  const fault = core.faults.match(name);
  if (fault.latencyMs > 0) {
    stats.bump('faults_injected');
    await clock.sleep(fault.latencyMs);
  }
  const rule = fault.rule;
  if (rule && !POST_PROCESSING.has(rule.kind)) {
    stats.bump('faults_injected');
    if (rule.kind === 'throttle') stats.bump('throttled');
    answerFault(rule, req, res, core.throttle, false);
    finish(faultStatus(rule, core.throttle), rule.kind === 'throttle' ? 'throttled' : 'fault');
    return;
  }

  let status = 200;
  let payload: unknown;
  let headers: Record<string, string> = {};
  let outcome: SimulatorLogEntry['outcome'] = 'ok';
  try {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = core.authority.authenticate(bearer ?? params.access_token);
    entry.token = token.label;
    stats.countToken(token.label);
    const verdict = core.quota.take(token.user, token.label, core.appKey);
    core.usage.request(token.user, clock.now(), verdict.allowed ? undefined : verdict.window);
    if (!verdict.allowed) {
      const t = throttleAnswer(core.throttle, core.throttle === 'waf' ? verdict.retryAfterSec : undefined);
      stats.bump('throttled');
      ({ status, headers } = t);
      payload = t.body;
      outcome = 'throttled';
    } else {
      const now = core.world.advance();
      const json = isJson && raw.trim() !== '' ? parseJson(raw) : undefined;
      const form = new URLSearchParams(isJson ? '' : raw);
      const all = (key: string): string[] => [...url.searchParams.getAll(key), ...form.getAll(key)];
      const ctx = { world: core.world, security: core.security, params, json, all, now };
      core.users.check(token.user, params, json);
      const body = core.users.scope(
        token.user,
        name,
        core.security.observe(writeTarget(name, params, json), () => handler(ctx)),
      );
      payload = {
        status: 'ok',
        time_server: Math.floor(now / 1000),
        time_exec: Math.round((performance.now() - started) * 1000) / 1e6,
        ...(body === undefined ? {} : { body }),
      };
    }
  } catch (error) {
    if (!(error instanceof SimApiError)) throw error;
    status = error.status;
    payload = error.body();
    outcome = 'error';
  }
  if (rule) {
    stats.bump('faults_injected');
    sendSpoiled(rule, res, status, JSON.stringify(payload));
    finish(status, 'fault');
    return;
  }
  sendJson(res, status, payload, headers);
  finish(status, outcome);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new SimApiError(400, 40, 'JSON has an invalid encoding');
  }
}

/** The HTTP status a fault answered with, for the request log (0: the connection got none). */
function faultStatus(rule: FaultRule, dialect: ThrottleDialect): number {
  if (rule.kind === 'status') return rule.status ?? 503;
  if (rule.kind === 'body') return rule.status ?? 200;
  if (rule.kind === 'throttle') return throttleAnswer(dialect, rule.retry_after).status;
  if (rule.kind === 'html') return rule.status ?? 200;
  return 0;
}
