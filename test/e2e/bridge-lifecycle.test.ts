/**
 * Issue 4 end to end, the lifecycle: a broker restart without persistence, Home Assistant's
 * birth message, and the start-up sweep of stale discovery configs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/util/clock.js';
import { type PrivateBroker, startPrivateBroker } from '../support/private-broker.js';
import { frozenClock, type Harness, Recorder, startHarness } from './bridge-harness.js';

describe('bridge lifecycle', () => {
  let broker: PrivateBroker | undefined;
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    await broker?.close();
    h = undefined;
    broker = undefined;
  });

  /** A private broker and a harness whose bridge runs 10× faster than wall time; not started. */
  async function prepare(homeassistant?: { status_topic?: string }): Promise<Harness> {
    broker = await startPrivateBroker();
    h = await startHarness({
      brokerUrl: broker.url,
      clock: new ScaledClock(10),
      sim: { clock: frozenClock() },
      ...(homeassistant ? { homeassistant } : {}),
    });
    return h;
  }

  async function running(homeassistant?: { status_topic?: string }): Promise<Harness> {
    const harness = await prepare(homeassistant);
    await harness.bridge.start();
    await harness.firstRound();
    // The meters' first reads too: none lands while the broker is away.
    await harness.energyRound();
    return harness;
  }

  it('after a broker restart without persistence, state, availability and discovery are all back', async () => {
    h = await running();
    const devices = h.bridge.store.devices();
    expect(devices.length).toBeGreaterThan(50);
    expect(
      devices.filter((d) => h!.recorder.json(h!.deviceTopic(d.id)) !== undefined).length,
    ).toBeGreaterThan(50);

    await broker!.stop();
    await broker!.start();
    await h.until(() => h!.bridge.mqtt.status().reconnects >= 1, 20_000, 'the bridge to reconnect');

    // A subscriber that arrives after the restart sees everything retained again.
    const late = await Recorder.start(broker!.url, [
      `${h.baseTopic}/#`,
      `${h.prefix}/device/${h.baseTopic}/#`,
    ]);
    try {
      await h.until(
        () =>
          devices.every(
            (d) =>
              late.json(`${h!.deviceTopic(d.id)}/availability`) !== undefined &&
              late.json(`${h!.prefix}/device/${h!.baseTopic}/${d.id}/config`) !== undefined,
          ),
        10_000,
        'availability and discovery of every device after the restart',
      );
      expect(late.json(`${h.baseTopic}/bridge/state`)).toEqual({ state: 'online' });
      for (const device of devices) {
        // Devices Netatmo reported no value for have no state topic, before or after.
        const published = h.recorder.json(h.deviceTopic(device.id));
        expect(late.json(h.deviceTopic(device.id)), `state of ${device.id}`).toEqual(published);
        expect(
          late.json(`${h.prefix}/device/${h.baseTopic}/${device.id}/config`),
          `discovery of ${device.id}`,
        ).toBeDefined();
      }
      expect(late.json(`${h.baseTopic}/bridge/info`)).toBeDefined();
      expect(late.json(`${h.baseTopic}/bridge/devices`)).toBeDefined();
    } finally {
      await late.close();
    }
  });

  // Birth delay is 5–15 s of the bridge's clock: 0.5–1.5 s at 10×.
  it.each([
    ['the default status topic', undefined, 'homeassistant/status'],
    ['a configured status topic', { status_topic: 'hass/status' }, 'hass/status'],
  ])(
    'republishes state after Home Assistant announces itself on %s',
    async (_what, settings, statusTopic) => {
      h = await running(settings);
      const device = h.bridge.store.devices().find((d) => d.kind === 'room')!;
      const topic = h.deviceTopic(device.id);
      const before = h.recorder.count(topic);
      await h.recorder.publish(statusTopic, 'online');
      await h.until(() => h!.recorder.count(topic) > before, 5_000, 'the state to be republished');
      expect(h.recorder.json(topic)).toEqual(h.bridge.store.state(device.id));
    },
  );

  it('clears retained discovery configs of devices that no longer exist, and only those', async () => {
    h = await prepare();
    const stale = `${h.prefix}/device/${h.baseTopic}/12_34_56_99_99_99/config`;
    const foreign = `${h.prefix}/device/other_bridge/12_34_56_99_99_99/config`;
    const staleConfig = JSON.stringify({
      dev: { identifiers: ['x'] },
      o: { name: 'netatmo2mqtt' },
      cmps: {},
    });
    await h.recorder.publish(stale, staleConfig, true);
    await h.recorder.publish(foreign, staleConfig, true);
    await h.bridge.start();
    await h.firstRound();
    await h.until(() => h!.recorder.last.get(stale)?.payload === '', 5_000, 'the stale config to be cleared');
    // Another bridge's config is not ours to touch.
    const check = await Recorder.start(broker!.url, [foreign]);
    try {
      await h.until(() => check.json(foreign) !== undefined, 3_000, 'the foreign config to still be there');
    } finally {
      await check.publish(foreign, '', true);
      await check.close();
    }
  });
});
