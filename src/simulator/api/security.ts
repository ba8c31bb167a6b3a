/**
 * The security endpoints: `getevents`, `setpersonsaway`, `setpersonshome`, `addwebhook`,
 * `dropwebhook`. They take form or query parameters like every endpoint, and also a JSON body
 * (openHAB sends `{"home_id":…,"person_ids":[…]}`); pyatmo sends `person_ids[]` repeated.
 */
import type { Params } from '../world/commands.js';
import type { ApiContext, ApiHandler } from './endpoints.js';
import { intParam, list, optional, required } from './params.js';

/** Form/query parameters, with a JSON body's string fields filling the gaps. */
function fields(ctx: ApiContext): Params {
  const out: Params = {};
  if (typeof ctx.json === 'object' && ctx.json !== null && !Array.isArray(ctx.json)) {
    for (const [key, value] of Object.entries(ctx.json)) {
      if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
    }
  }
  return { ...out, ...ctx.params };
}

/** `person_ids` from a JSON array, repeated `person_ids[]`, or one comma/JSON list. */
function personIds(ctx: ApiContext): string[] {
  const json = ctx.json as { person_ids?: unknown } | undefined;
  if (Array.isArray(json?.person_ids)) return json.person_ids.map(String);
  const repeated = ctx.all('person_ids[]');
  if (repeated.length > 0) return repeated;
  return list(optional(ctx.params, 'person_ids'), 'person_ids') ?? [];
}

/** `device_types` as a comma/JSON list, or `device_types[]` repeated. */
function deviceTypes(ctx: ApiContext, params: Params): string[] | undefined {
  const repeated = ctx.all('device_types[]');
  return repeated.length > 0 ? repeated : list(optional(params, 'device_types'), 'device_types');
}

export const SECURITY_ENDPOINTS: Record<string, ApiHandler> = {
  getevents: (ctx) => {
    const params = fields(ctx);
    const homeId = required(params, 'home_id');
    const events = ctx.security.events.page(homeId, {
      size: intParam(params, 'size', 30, 1, 300),
      offset: intParam(params, 'offset', 0, 0, 1e6),
      eventId: optional(params, 'event_id'),
      personId: optional(params, 'person_id'),
      deviceId: optional(params, 'device_id'),
      deviceTypes: deviceTypes(ctx, params),
    });
    return { home: { id: homeId, events } };
  },
  setpersonsaway: (ctx) => {
    const params = fields(ctx);
    ctx.security.setPersonsAway(optional(params, 'home_id'), optional(params, 'person_id'));
    return undefined;
  },
  setpersonshome: (ctx) => {
    ctx.security.setPersonsHome(optional(fields(ctx), 'home_id'), personIds(ctx));
    return undefined;
  },
  addwebhook: (ctx) => {
    const params = fields(ctx);
    ctx.security.registerWebhook(optional(params, 'url'), optional(params, 'app_types'));
    return undefined;
  },
  dropwebhook: (ctx) => {
    ctx.security.webhooks.drop();
    return undefined;
  },
};

/** The home a write request changes (for the pushes it causes), if it names one. */
export function writeTarget(endpoint: string, params: Params, json: unknown): string | undefined {
  if (endpoint === 'setstate') {
    const home = (json as { home?: { id?: unknown } } | undefined)?.home;
    return typeof home?.id === 'string' ? home.id : undefined;
  }
  const writes = ['setroomthermpoint', 'setthermmode', 'switchhomeschedule'];
  return writes.includes(endpoint) ? optional(params, 'home_id') : undefined;
}
