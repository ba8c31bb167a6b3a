/** The /__sim/* control endpoints used by tests, benchmarks and the demo. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleDeviceControl } from './control-devices.js';
import type { SimulatorCore } from './core.js';
import { FaultInjector } from './faults.js';
import { readBody, sendJson } from './http.js';
import { securityControl } from './routes-security.js';
import type { FaultRequest, QuotaMode, SimulatorStats } from './types.js';

/** Operations shared by the HTTP control endpoints and the programmatic handle. */
export function controls(core: SimulatorCore) {
  return {
    mintTokens(user?: string) {
      const owner = core.authority.user(user);
      core.stats.bump('token_grants');
      const pair = core.authority.mint(owner);
      return {
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        expires_in: pair.expires_in,
      };
    },
    setFaults(request: FaultRequest): void {
      const checked = FaultInjector.parse(request);
      core.faults.apply(checked);
      if (checked.clear) core.world.unreachable.clear();
      for (const id of checked.unreachable_modules ?? []) core.world.unreachable.add(id);
    },
    advanceClock(ms: number): number {
      core.clock.advance(ms);
      core.world.advance();
      return core.clock.now();
    },
    stats(): SimulatorStats {
      return {
        ...core.stats.stats,
        ...core.security.stats(),
        app: core.usage.app(),
        users: core.usage.byUser(),
      };
    },
    resetStats(): void {
      core.stats.reset();
      core.usage.reset();
      core.security.resetStats();
    },
    setQuotaMode(mode: QuotaMode): void {
      if (mode !== 'per-token' && mode !== 'per-user')
        throw new Error(`quota mode must be per-token or per-user`);
      core.quota.mode = mode;
    },
  };
}

export async function handleControl(
  core: SimulatorCore,
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ops = controls(core);
  const route = `${req.method} ${path}`;
  let input: Record<string, unknown> = {};
  if (req.method === 'POST') {
    const raw = await readBody(req);
    try {
      const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      sendJson(res, 400, { error: 'body must be a JSON object' });
      return;
    }
  }
  try {
    switch (route) {
      case 'POST /__sim/tokens': {
        if (input.user !== undefined && typeof input.user !== 'string')
          throw new Error('user must be a string such as "user2"');
        return sendJson(res, 200, ops.mintTokens(input.user));
      }
      case 'GET /__sim/users':
        return sendJson(res, 200, { users: core.users.homes() });
      case 'GET /__sim/stats':
        return sendJson(res, 200, ops.stats());
      case 'POST /__sim/stats/reset':
        ops.resetStats();
        return sendJson(res, 200, ops.stats());
      case 'POST /__sim/faults':
        ops.setFaults(input as FaultRequest);
        return sendJson(res, 200, {
          rules: core.faults.rules,
          unreachable_modules: [...core.world.unreachable],
        });
      case 'POST /__sim/clock': {
        const ms = typeof input.advance_ms === 'number' ? input.advance_ms : Number(input.advance_s) * 1000;
        if (!Number.isFinite(ms) || ms < 0)
          throw new Error('give advance_ms or advance_s, a non-negative number');
        return sendJson(res, 200, { now: ops.advanceClock(ms) });
      }
      case 'GET /__sim/clock':
        return sendJson(res, 200, { now: core.clock.now() });
      case 'GET /__sim/log': {
        const limit = Number(url.searchParams.get('limit') ?? 0);
        const log = core.stats.log();
        return sendJson(res, 200, limit > 0 ? log.slice(-limit) : log);
      }
      case 'POST /__sim/quota':
        ops.setQuotaMode(input.mode as QuotaMode);
        return sendJson(res, 200, { mode: core.quota.mode });
      case 'GET /__sim/changes':
        core.world.advance();
        return sendJson(res, 200, { now: core.clock.now(), changes: core.world.lastChanges() });
      default: {
        const answer = securityControl(core, route, input);
        if (answer !== undefined) return sendJson(res, 200, answer);
        const device = handleDeviceControl(core, route, url, input);
        if (device) return sendJson(res, device[0], device[1]);
        return sendJson(res, 404, { error: `no control endpoint ${route}` });
      }
    }
  } catch (error) {
    sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}
