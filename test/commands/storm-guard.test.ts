import { describe, expect, it } from 'vitest';
import { StormGuard } from '../../src/commands/storm-guard.js';
import { VirtualClock } from '../poller/virtual-clock.js';

describe('StormGuard', () => {
  it('allows up to the cap per device per minute, then refuses', () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 30, globalCapPerMinute: 1000 });
    const verdicts = Array.from({ length: 500 }, () => guard.take('plug'));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(30);
    expect(verdicts.slice(0, 30).every((v) => v.allowed)).toBe(true);
    expect(verdicts.slice(30).every((v) => !v.allowed)).toBe(true);
  });

  it('reports a storm once, counting what it dropped', () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 3, globalCapPerMinute: 1000 });
    const refusals = Array.from({ length: 10 }, () => guard.take('plug')).filter((v) => !v.allowed);
    expect(refusals.map((v) => (v.allowed ? null : v.startsStorm))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(refusals.at(-1)).toMatchObject({
      allowed: false,
      scope: 'device',
      startsStorm: false,
      dropped: 7,
    });
  });

  it('does not limit other devices', () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 2, globalCapPerMinute: 1000 });
    for (let i = 0; i < 10; i++) guard.take('plug');
    expect(guard.take('camera')).toEqual({ allowed: true });
    expect(guard.take('camera')).toEqual({ allowed: true });
    expect(guard.take('camera').allowed).toBe(false);
  });

  it('counts over a sliding minute, not a fixed one', async () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 4, globalCapPerMinute: 1000 });
    guard.take('d'); // t = 0
    guard.take('d');
    await clock.advance(30_000);
    guard.take('d'); // t = 30 s
    guard.take('d');
    expect(guard.take('d').allowed).toBe(false);
    await clock.advance(29_999);
    expect(guard.take('d').allowed).toBe(false); // the two at t = 0 are still within the minute
    await clock.advance(1);
    expect(guard.take('d').allowed).toBe(true); // t = 60 s: they slid out
    expect(guard.take('d').allowed).toBe(true);
    expect(guard.take('d').allowed).toBe(false); // the two at 30 s and the two just taken
  });

  it('a new storm after a calm minute is reported again', async () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 1, globalCapPerMinute: 1000 });
    guard.take('d');
    expect(guard.take('d')).toMatchObject({ allowed: false, startsStorm: true });
    await clock.advance(30_000);
    expect(guard.take('d')).toMatchObject({ allowed: false, startsStorm: false, dropped: 2 });
    // A whole minute without a refusal ends the storm; the cap window has slid too.
    await clock.advance(60_000);
    expect(guard.take('d')).toEqual({ allowed: true });
    expect(guard.take('d')).toMatchObject({ allowed: false, startsStorm: true, dropped: 1 });
  });

  it('caps commands across devices too, and says when one fits again', async () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 30, globalCapPerMinute: 5 });
    const start = clock.now();
    // Five devices, one command each: all fit. A sixth device is refused by the global cap.
    for (let i = 0; i < 5; i++) {
      expect(guard.take(`device_${i}`)).toEqual({ allowed: true });
      await clock.advance(1_000);
    }
    expect(guard.take('device_5')).toEqual({
      allowed: false,
      scope: 'global',
      startsStorm: true,
      dropped: 1,
      retryAt: start + 60_000,
    });
    // A refused command counts for no window: device_5 itself is not over its own cap.
    expect(guard.take('device_5')).toMatchObject({
      allowed: false,
      scope: 'global',
      startsStorm: false,
      dropped: 2,
    });
    await clock.advance(60_000 - 5_000);
    expect(guard.take('device_5')).toEqual({ allowed: true });
  });

  it('a device over its own cap is refused as a device storm, leaving the global budget to others', () => {
    const clock = new VirtualClock();
    const guard = new StormGuard({ clock, capPerMinute: 2, globalCapPerMinute: 3 });
    expect(guard.take('plug').allowed).toBe(true);
    expect(guard.take('plug').allowed).toBe(true);
    expect(guard.take('plug')).toMatchObject({
      allowed: false,
      scope: 'device',
      retryAt: clock.now() + 60_000,
    });
    expect(guard.take('lamp')).toEqual({ allowed: true });
    expect(guard.take('lamp')).toMatchObject({ allowed: false, scope: 'global' });
  });
});
