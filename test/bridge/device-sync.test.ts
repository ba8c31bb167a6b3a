/**
 * DeviceSync as the one writer: the account's device changes become one `devicesChanged` event
 * (not the first device set, which is the start), and a command's optimistic state is applied in
 * turn with the polls, through the same store listeners.
 */
import { describe, expect, it } from 'vitest';
import { DeviceSync } from '../../src/bridge/device-sync.js';
import { moduleDeviceId } from '../../src/devices/index.js';
import { type BridgeEvents, EventBus } from '../../src/events.js';
import type { HomesDataBody } from '../../src/netatmo/api-types.js';
import { type AppliedStates, StateStore } from '../../src/state/state-store.js';

const plug = { id: '70:ee:50:00:00:01', type: 'NLP', name: 'Plug' };
const light = { id: '70:ee:50:00:00:02', type: 'NLF', name: 'Light' };
const topology = (...modules: Array<typeof plug>): HomesDataBody => ({ homes: [{ id: 'h1', modules }] });

describe('DeviceSync', () => {
  it('tells devicesChanged when modules come and go after the first device set', async () => {
    const events = new EventBus();
    const changes: Array<BridgeEvents['devicesChanged']> = [];
    events.on('devicesChanged', (e) => changes.push(e));
    const sync = new DeviceSync({ store: new StateStore(), events, clock: { now: () => 42 } });
    sync.onTopology(topology(plug));
    await sync.idle();
    expect(changes).toEqual([]);
    sync.onTopology(topology(light));
    await sync.idle();
    expect(changes).toEqual([
      { added: [moduleDeviceId(light.id)], removed: [moduleDeviceId(plug.id)], at: 42 },
    ]);
  });

  it("applies a command's expected state through the store's listeners, after what the polls handed in", async () => {
    const store = new StateStore();
    const applied: AppliedStates[] = [];
    store.subscribe({ statesApplied: (a) => void applied.push(a) });
    const sync = new DeviceSync({ store });
    sync.onTopology(topology(plug));
    sync.onHomeStatus('h1', { home: { id: 'h1', modules: [{ ...plug, on: false, power: 0 }] } });
    await sync.applyExpected(moduleDeviceId(plug.id), { state: 'ON' });
    expect(applied.map((a) => a.origin.kind)).toEqual(['poll', 'poll', 'command']);
    expect(store.state(moduleDeviceId(plug.id))).toMatchObject({ state: 'ON', power: 0 });
    expect(applied.at(-1)?.changes.map((c) => c.state.state)).toEqual(['ON']);
  });
});
