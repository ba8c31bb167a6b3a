/**
 * Turns a raw MQTT message on a topic the bridge listens to into a typed message. Device
 * commands keep their raw payload: what it means is the command layer's to decide
 * (src/commands/decode.ts), in one place. Bridge requests become JSON objects with their
 * transaction.
 */
import { truncate } from '../util/truncate.js';
import type {
  BridgeRequestPayload,
  BridgeResponsePayload,
  DeviceSetResponsePayload,
  ParsedTopic,
  Transaction,
} from './topics.js';

/**
 * Payloads above this size are refused before they are decoded or parsed: no command or
 * request needs more than a few hundred bytes, and a megabyte would otherwise be parsed,
 * validated and echoed back.
 */
export const MAX_INCOMING_PAYLOAD_BYTES = 64 * 1024;

interface DeviceCommandMessage<K extends 'device_set' | 'device_get'> {
  kind: K;
  device: string;
  /** `<base>/<device>/set/<attribute>`: the payload is that attribute's raw value. */
  attribute?: string;
  raw: string;
}

export type IncomingMessage =
  | DeviceCommandMessage<'device_set'>
  | DeviceCommandMessage<'device_get'>
  | {
      kind: 'bridge_request';
      command: string;
      /** The JSON object sent; a non-object payload arrives as `{value: …}`. */
      payload: BridgeRequestPayload;
      transaction?: Transaction;
      raw: string;
    };

export type IncomingKind = IncomingMessage['kind'];
export type IncomingOf<K extends IncomingKind> = Extract<IncomingMessage, { kind: K }>;

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decodeIncoming(parsed: ParsedTopic, payload: Buffer): IncomingMessage {
  const raw = payload.toString('utf8');
  switch (parsed.kind) {
    case 'bridge_request': {
      const json = parseJson(raw);
      let body: BridgeRequestPayload;
      if (raw.trim() === '') body = {};
      else if (json.ok && isPlainObject(json.value)) body = json.value;
      else body = { value: json.ok ? json.value : raw };
      const transaction = body.transaction;
      const message: IncomingOf<'bridge_request'> = {
        kind: 'bridge_request',
        command: parsed.command,
        payload: body,
        raw,
      };
      if (typeof transaction === 'string' || typeof transaction === 'number')
        message.transaction = transaction;
      return message;
    }
    case 'device_set':
    case 'device_get': {
      const message: DeviceCommandMessage<typeof parsed.kind> = {
        kind: parsed.kind,
        device: parsed.device,
        raw,
      };
      if (parsed.attribute !== undefined) message.attribute = parsed.attribute;
      return message;
    }
  }
}

/** The answer to an oversized payload, where its sender looks for one (undefined: none is due). */
export type OversizedAnswer =
  | { topic: 'bridge/response/device/set'; payload: DeviceSetResponsePayload }
  | { topic: `bridge/response/${string}`; payload: BridgeResponsePayload };

export function oversizedAnswer(parsed: ParsedTopic, bytes: number): OversizedAnswer | undefined {
  const error = `payload of ${bytes} bytes refused: the limit is ${MAX_INCOMING_PAYLOAD_BYTES} bytes; it was not parsed`;
  if (parsed.kind === 'device_set') {
    return {
      topic: 'bridge/response/device/set',
      payload: {
        status: 'error',
        data: { device: truncate(parsed.device), values: {}, code: 'payload_too_large' },
        error,
      },
    };
  }
  if (parsed.kind === 'bridge_request') {
    return {
      topic: `bridge/response/${parsed.command}`,
      payload: { status: 'error', data: {}, error },
    };
  }
  return undefined;
}
