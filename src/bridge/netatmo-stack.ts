/**
 * The Netatmo side of one account, built from configuration and the account's coordination:
 * token store → auth → gate → session → typed client. Everything shares one clock and one
 * event bus; the gate shares the app's budget and throttle windows with the other accounts.
 */
import type { BridgeConfig } from '../config/types.js';
import type { AccountCoordination } from '../coordination/types.js';
import type { EventBus } from '../events.js';
import { NetatmoAuth } from '../netatmo/auth.js';
import { NetatmoClient } from '../netatmo/client.js';
import { gateLimitsForProfile, RequestGate } from '../netatmo/gate.js';
import { ApiSession } from '../netatmo/session.js';
import type { TokenStore } from '../tokens/stored-token.js';
import type { Clock } from '../util/clock.js';

export interface NetatmoStack {
  store: TokenStore;
  auth: NetatmoAuth;
  gate: RequestGate;
  session: ApiSession;
  client: NetatmoClient;
}

export function createNetatmoStack(
  config: BridgeConfig,
  clock: Clock,
  events: EventBus,
  account: AccountCoordination,
): NetatmoStack {
  const store = account.tokens;
  const auth = new NetatmoAuth({
    clientId: config.netatmo.client_id,
    clientSecret: config.netatmo.client_secret,
    baseUrl: config.netatmo.base_url,
    store,
    clock,
    events,
    httpTimeoutMs: config.netatmo.request_timeout_ms,
    ...(account.refreshLock ? { refreshLock: account.refreshLock } : {}),
  });
  const gate = new RequestGate({
    clock,
    limits: gateLimitsForProfile(config.netatmo.profile, account.appUsers),
    events,
    share: account.gateShare,
  });
  const session = new ApiSession({
    baseUrl: config.netatmo.base_url,
    gate,
    auth,
    clock,
    requestTimeoutMs: config.netatmo.request_timeout_ms,
  });
  return { store, auth, gate, session, client: new NetatmoClient(session) };
}
