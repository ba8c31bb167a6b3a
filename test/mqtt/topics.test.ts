import { describe, expect, expectTypeOf, it } from 'vitest';
import { decodeSet } from '../../src/commands/decode.js';
import { decodeIncoming } from '../../src/mqtt/incoming.js';
import {
  type AvailabilityPayload,
  assertPublishableTopic,
  type BridgeResponsePayload,
  createTopicParser,
  type DeviceStatePayload,
  type OutgoingPayload,
  TopicError,
  type TopicKeyOf,
} from '../../src/mqtt/topics.js';

const parse = createTopicParser('netatmo2mqtt');

function incoming(topic: string, payload: string) {
  const parsed = parse(topic);
  if (!parsed) throw new Error(`${topic} did not parse`);
  return decodeIncoming(parsed, Buffer.from(payload));
}

describe('topic parser', () => {
  it('recognises device commands and bridge requests, nothing outside the base topic', () => {
    expect(parse('netatmo2mqtt/living/set')).toEqual({ kind: 'device_set', device: 'living' });
    expect(parse('netatmo2mqtt/living/set/target_temperature')).toEqual({
      kind: 'device_set',
      device: 'living',
      attribute: 'target_temperature',
    });
    expect(parse('netatmo2mqtt/living/get')).toEqual({ kind: 'device_get', device: 'living' });
    expect(parse('netatmo2mqtt/bridge/request/device/rename')).toEqual({
      kind: 'bridge_request',
      command: 'device/rename',
    });
    expect(parse('homeassistant/status')).toBeUndefined();
  });

  it('ignores the bridge namespace, other bases and the bridge’s own output topics', () => {
    expect(parse('netatmo2mqtt/bridge/set')).toBeUndefined();
    expect(parse('netatmo2mqtt/bridge/response/health_check')).toBeUndefined();
    expect(parse('netatmo2mqtt/living')).toBeUndefined();
    expect(parse('netatmo2mqtt/living/availability')).toBeUndefined();
    expect(parse('other/living/set')).toBeUndefined();
    expect(parse('netatmo2mqttx/living/set')).toBeUndefined();
  });

  it('treats regex characters in the base topic literally', () => {
    const dotted = createTopicParser('a.b');
    expect(dotted('a.b/x/set')).toEqual({ kind: 'device_set', device: 'x' });
    expect(dotted('aXb/x/set')).toBeUndefined();
  });
});

describe('incoming payloads', () => {
  it('hands device commands over raw, and the command layer reads them as attribute → value objects', () => {
    const values = (topic: string, payload: string): unknown => {
      const message = incoming(topic, payload);
      if (message.kind !== 'device_set') throw new Error(`${topic} is not a set`);
      const decoded = decodeSet(message);
      return decoded.ok ? decoded.values : decoded;
    };
    expect(values('netatmo2mqtt/living/set', '{"target_temperature":19}')).toEqual({
      target_temperature: 19,
    });
    expect(values('netatmo2mqtt/living/set', 'ON')).toEqual({ state: 'ON' });
    expect(incoming('netatmo2mqtt/living/set/target_temperature', '19.5')).toEqual({
      kind: 'device_set',
      device: 'living',
      attribute: 'target_temperature',
      raw: '19.5',
    });
    expect(values('netatmo2mqtt/living/set/target_temperature', '19.5')).toEqual({
      target_temperature: 19.5,
    });
    expect(values('netatmo2mqtt/living/set/mode', 'away')).toEqual({ mode: 'away' });
    expect(incoming('netatmo2mqtt/living/get', '')).toEqual({
      kind: 'device_get',
      device: 'living',
      raw: '',
    });
  });

  it('keeps a bridge request’s transaction and wraps non-object payloads', () => {
    expect(incoming('netatmo2mqtt/bridge/request/health_check', '{"transaction":"a1"}')).toEqual({
      kind: 'bridge_request',
      command: 'health_check',
      payload: { transaction: 'a1' },
      transaction: 'a1',
      raw: '{"transaction":"a1"}',
    });
    expect(incoming('netatmo2mqtt/bridge/request/restart', '')).toMatchObject({ payload: {} });
    expect(incoming('netatmo2mqtt/bridge/request/log_level', 'debug')).toMatchObject({
      payload: { value: 'debug' },
    });
  });
});

describe('publish guard', () => {
  it('refuses wildcards, empty topics and NUL', () => {
    for (const topic of ['a/+/b', 'a/#', '#', '+', '', 'a\u0000b']) {
      expect(() => assertPublishableTopic(topic), topic).toThrow(TopicError);
    }
    expect(() => assertPublishableTopic('netatmo2mqtt/living/availability')).not.toThrow();
  });

  it('splits friendly names with / from their set and get levels', () => {
    expect(parse('netatmo2mqtt/Ground floor/Living room/set')).toEqual({
      kind: 'device_set',
      device: 'Ground floor/Living room',
    });
    expect(parse('netatmo2mqtt/Ground floor/Living room/set/target_temperature')).toEqual({
      kind: 'device_set',
      device: 'Ground floor/Living room',
      attribute: 'target_temperature',
    });
    expect(parse('netatmo2mqtt/a/b/c/get')).toEqual({ kind: 'device_get', device: 'a/b/c' });
    // The bridge's own answers are never commands, however deep a filter reaches.
    expect(parse('netatmo2mqtt/bridge/response/device/set')).toBeUndefined();
  });
});

describe('topic map types', () => {
  it('maps concrete topics to their payload types', () => {
    expectTypeOf<TopicKeyOf<'living/availability'>>().toEqualTypeOf<'<device>/availability'>();
    expectTypeOf<TopicKeyOf<'bridge/response/device/rename'>>().toEqualTypeOf<'bridge/response/<cmd>'>();
    expectTypeOf<OutgoingPayload<'living'>>().toEqualTypeOf<DeviceStatePayload>();
    expectTypeOf<OutgoingPayload<`${string}/availability`>>().toEqualTypeOf<AvailabilityPayload>();
    expectTypeOf<OutgoingPayload<'bridge/response/x'>>().toEqualTypeOf<BridgeResponsePayload>();
    // The bridge never publishes commands, nor to unknown bridge topics.
    expectTypeOf<OutgoingPayload<'living/set'>>().toBeNever();
    expectTypeOf<OutgoingPayload<'bridge/unknown'>>().toBeNever();
  });
});
