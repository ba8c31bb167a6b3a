/**
 * `<base>/bridge/request/<cmd>` → `<base>/bridge/response/<cmd>` (zigbee2mqtt's handler table).
 * Every request gets exactly one response, echoing its `transaction`; a handler that throws
 * becomes `{"status":"error","error":"…"}`, and an unknown command says which ones exist.
 */
import { BridgeError } from '../errors.js';
import { childLogger, LOG_LEVELS, type LogLevel } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { IncomingOf } from '../mqtt/incoming.js';
import type {
  BridgeHealthPayload,
  BridgeRequestName,
  BridgeRequests,
  BridgeResponsePayload,
  RequestBody,
} from '../mqtt/topics.js';
import { redactString } from '../util/redact.js';

const log = childLogger('bridge');

/** What bridge requests may ask of the running bridge. */
export interface BridgeControl {
  health(): BridgeHealthPayload;
  /** Reads a home's live state now (within the budget); false when the home is unknown. */
  refreshHome(homeId: string): boolean;
  refreshTopology(): void;
  restartPolling(): void;
  setLogLevel(level: LogLevel): void;
  /** `device/rename` (src/names/rename-request.ts checks the body). */
  renameDevice(from: unknown, to: unknown): Promise<{ from: string; to: string }>;
}

export class RequestError extends BridgeError {}

/** One handler per request, typed by the contract in topics.ts. */
export type BridgeRequestHandlers = {
  [K in BridgeRequestName]: (
    body: RequestBody<K>,
  ) => BridgeRequests[K]['data'] | Promise<BridgeRequests[K]['data']>;
};

export function bridgeRequestHandlers(control: BridgeControl): BridgeRequestHandlers {
  const setLogLevel = (value: unknown): { log_level: LogLevel } => {
    if (typeof value !== 'string' || !(LOG_LEVELS as readonly string[]).includes(value)) {
      throw new RequestError(`log_level must be one of ${LOG_LEVELS.join(', ')}`);
    }
    control.setLogLevel(value as LogLevel);
    return { log_level: value as LogLevel };
  };
  return {
    health: () => control.health(),
    refresh: (payload) => {
      const home = payload.home ?? payload.home_id;
      if (home === undefined) {
        control.refreshTopology();
        return { refreshed: 'topology' };
      }
      if (typeof home !== 'string' || home === '') throw new RequestError('home must be a Netatmo home id');
      if (!control.refreshHome(home)) throw new RequestError(`unknown home '${home}'`);
      return { refreshed: home };
    },
    restart: () => {
      control.restartPolling();
      return { restarted: 'polling' as const };
    },
    'polling/restart': () => {
      control.restartPolling();
      return { restarted: 'polling' as const };
    },
    log_level: (payload) => setLogLevel(payload.log_level ?? payload.value),
    options: (payload) => {
      const options = payload.options;
      if (typeof options !== 'object' || options === null || Array.isArray(options)) {
        throw new RequestError('options must be an object, e.g. {"options":{"log_level":"debug"}}');
      }
      const unknown = Object.keys(options).filter((k) => k !== 'log_level');
      if (unknown.length > 0)
        throw new RequestError(`options cannot change ${unknown.join(', ')} at run time`);
      return setLogLevel((options as Record<string, unknown>).log_level);
    },
    'device/rename': (payload) => control.renameDevice(payload.from, payload.to),
  };
}

/** Answers bridge requests arriving on `mqtt` with `handlers`. Returns the unsubscribe function. */
export function serveBridgeRequests(mqtt: MqttConnection, handlers: BridgeRequestHandlers): () => void {
  return mqtt.onMessage('bridge_request', async (message: IncomingOf<'bridge_request'>) => {
    const response = await answer(handlers, message);
    await mqtt.publish(`bridge/response/${message.command}`, response).catch((error: unknown) => {
      log.error(`cannot answer bridge/request/${message.command}: ${(error as Error).message}`);
    });
  });
}

async function answer(
  handlers: BridgeRequestHandlers,
  message: IncomingOf<'bridge_request'>,
): Promise<BridgeResponsePayload> {
  const transaction = message.transaction === undefined ? {} : { transaction: message.transaction };
  const table: Record<string, (body: RequestBody<BridgeRequestName>) => unknown> = handlers;
  const handler = Object.hasOwn(table, message.command) ? table[message.command] : undefined;
  if (!handler) {
    const error = `unknown bridge request '${message.command}'; known: ${Object.keys(handlers).sort().join(', ')}`;
    log.warning(error);
    return { status: 'error', data: {}, error, ...transaction };
  }
  try {
    return { status: 'ok', data: await handler(message.payload), ...transaction };
  } catch (error) {
    const text = redactString(error instanceof Error ? error.message : String(error));
    log.warning(`bridge/request/${message.command} failed: ${text}`);
    return { status: 'error', data: {}, error: text, ...transaction };
  }
}
