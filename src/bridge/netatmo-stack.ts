/**
 * The Netatmo side of the bridge, built from configuration: token store → auth → gate →
 * session → typed client. Everything shares one clock and one event bus.
 */
import type { BridgeConfig } from '../config/types.js';
import type { EventBus } from '../events.js';
import { NetatmoAuth } from '../netatmo/auth.js';
import { NetatmoClient } from '../netatmo/client.js';
import { gateLimitsForProfile, RequestGate } from '../netatmo/gate.js';
import { ApiSession } from '../netatmo/session.js';
import { FileTokenStore } from '../tokens/file-store.js';
import type { TokenStore } from '../tokens/stored-token.js';
import type { Clock } from '../util/clock.js';

export interface NetatmoStack {
  store: TokenStore;
  auth: NetatmoAuth;
  gate: RequestGate;
  session: ApiSession;
  client: NetatmoClient;
}

export function createNetatmoStack(config: BridgeConfig, clock: Clock, events: EventBus): NetatmoStack {
  const store = new FileTokenStore(config.data_dir);
  const auth = new NetatmoAuth({
    clientId: config.netatmo.client_id,
    clientSecret: config.netatmo.client_secret,
    baseUrl: config.netatmo.base_url,
    store,
    clock,
    events,
    httpTimeoutMs: config.netatmo.request_timeout_ms,
  });
  const gate = new RequestGate({ clock, limits: gateLimitsForProfile(config.netatmo.profile), events });
  const session = new ApiSession({
    baseUrl: config.netatmo.base_url,
    gate,
    auth,
    clock,
    requestTimeoutMs: config.netatmo.request_timeout_ms,
  });
  return { store, auth, gate, session, client: new NetatmoClient(session) };
}
