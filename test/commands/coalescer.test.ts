import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/commands/coalescer.js';
import { VirtualClock } from '../poller/virtual-clock.js';

function setup(windowMs = 500, maxWaitMs?: number) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const sent: Array<{ key: string; value: number; at: number }> = [];
  const superseded: number[] = [];
  const coalescer = new Coalescer<number>({
    clock,
    windowMs,
    ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
    send: (key, value) => sent.push({ key, value, at: clock.now() - t0 }),
    superseded: (_key, value) => superseded.push(value),
  });
  return { clock, coalescer, sent, superseded };
}

describe('Coalescer', () => {
  it('sends a single value at once, with no added latency', () => {
    const { coalescer, sent } = setup();
    expect(coalescer.submit('dimmer', 40, ['brightness'])).toBe('sent');
    expect(sent).toEqual([{ key: 'dimmer', value: 40, at: 0 }]);
  });

  it('collapses values within the window into one trailing call with the latest value', async () => {
    const { clock, coalescer, sent, superseded } = setup(500);
    coalescer.submit('k', 1, ['value']);
    for (let v = 2; v <= 10; v++) {
      await clock.advance(20);
      expect(coalescer.submit('k', v, ['value'])).toBe('deferred');
    }
    expect(sent.map((s) => s.value)).toEqual([1]);
    expect(coalescer.pending('k')).toBe(10);
    await clock.advance(499);
    expect(sent.map((s) => s.value)).toEqual([1]);
    await clock.advance(1);
    // Quiet for a whole window after the last value (at 180 ms): the latest goes out at 680 ms.
    expect(sent).toEqual([
      { key: 'k', value: 1, at: 0 },
      { key: 'k', value: 10, at: 680 },
    ]);
    expect(superseded).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(coalescer.pending('k')).toBeUndefined();
  });

  it('keeps devices apart: another device is not delayed', async () => {
    const { clock, coalescer, sent } = setup(500);
    coalescer.submit('a', 1, ['value']);
    await clock.advance(10);
    expect(coalescer.submit('b', 2, ['value'])).toBe('sent');
    expect(coalescer.submit('a', 3, ['value'])).toBe('deferred');
    expect(sent.map((s) => `${s.key}=${s.value}`)).toEqual(['a=1', 'b=2']);
  });

  it('a burst that never pauses still sends its latest value every max-wait', async () => {
    const { clock, coalescer, sent } = setup(500, 2000);
    const t0 = clock.now();
    const submitted: Array<{ at: number; value: number }> = [];
    // A value every 70 ms for 5 s: the window (500 ms) never runs out.
    for (let value = 0; value <= 70; value++) {
      submitted.push({ at: clock.now() - t0, value });
      coalescer.submit('k', value, ['value']);
      await clock.advance(70);
    }
    const trailing = sent.slice(1);
    expect(trailing.length).toBeGreaterThanOrEqual(2);
    // Each flush carries the newest value submitted by then, at most max-wait after the oldest
    // value it replaced arrived.
    let previous = 0;
    for (const s of trailing) {
      const newest = submitted.filter((x) => x.at <= s.at).at(-1)!;
      expect(s.value).toBe(newest.value);
      expect(s.at - previous).toBeLessThanOrEqual(2000 + 70);
      previous = s.at;
    }
    await clock.advance(600);
    expect(sent.at(-1)!.value).toBe(70);
  });

  it('the last intent for a device wins across attribute sets: OFF after ON-with-brightness ends OFF', async () => {
    const { clock, coalescer, sent, superseded } = setup(500);
    coalescer.submit('light', 1, ['state', 'brightness']); // ON 30 %: sent at once
    await clock.advance(20);
    coalescer.submit('light', 2, ['state', 'brightness']); // ON 60 %: waits
    await clock.advance(20);
    coalescer.submit('light', 3, ['state']); // OFF: replaces ON 60 % (both set `state`)
    await clock.advance(500);
    expect(sent.map((s) => s.value)).toEqual([1, 3]);
    expect(superseded).toEqual([2]);
  });

  it('waiting commands for other attributes of the device go out in arrival order', async () => {
    const { clock, coalescer, sent, superseded } = setup(500);
    coalescer.submit('room', 1, ['mode']);
    await clock.advance(10);
    coalescer.submit('room', 2, ['target_temperature']);
    coalescer.submit('room', 3, ['mode']);
    coalescer.submit('room', 4, ['target_temperature']);
    expect(coalescer.pending('room')).toBe(4);
    await clock.advance(500);
    // 4 replaced 2 (both set target_temperature); 3 (mode) stays, ahead of 4.
    expect(sent.map((s) => s.value)).toEqual([1, 3, 4]);
    expect(superseded).toEqual([2]);
  });

  it('a value after a quiet window is sent at once again', async () => {
    const { clock, coalescer, sent } = setup(500);
    coalescer.submit('k', 1, ['value']);
    await clock.advance(500);
    expect(coalescer.submit('k', 2, ['value'])).toBe('sent');
    expect(sent.map((s) => s.at)).toEqual([0, 500]);
  });

  it('a window of 0 sends every value', () => {
    const { coalescer, sent } = setup(0);
    for (let v = 1; v <= 5; v++) expect(coalescer.submit('k', v, ['value'])).toBe('sent');
    expect(sent.map((s) => s.value)).toEqual([1, 2, 3, 4, 5]);
  });

  it('stop() drops pending values and timers', async () => {
    const { clock, coalescer, sent } = setup(500);
    coalescer.submit('k', 1, ['value']);
    coalescer.submit('k', 2, ['value']);
    coalescer.stop();
    await clock.advance(5000);
    expect(sent.map((s) => s.value)).toEqual([1]);
    expect(clock.pending).toBe(0);
  });
});
