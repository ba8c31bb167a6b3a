/**
 * Issue 15 item 4 end to end: a home's heating schedule select and its away / frost-guard mode
 * with an end time, through the validated, answered command path. When the end time passes,
 * Netatmo puts the home back on its schedule (only homesdata shows it): the bridge reads the
 * topology again then, instead of showing `away` until its next topology read hours later.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/util/clock.js';
import { type CommandBridge, HOME_ID, startCommandBridge } from '../commands/bridge-fixture.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';

const HOME = `home_${HOME_ID}`;
/** Five simulated minutes in five seconds. */
const SPEED = 60;

let broker: TestBroker;
let fx: CommandBridge | undefined;

beforeAll(async () => {
  broker = await useTestBroker();
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

async function thermMode(f: CommandBridge): Promise<unknown> {
  const { body } = await f.api('homesdata', { home_id: HOME_ID });
  return (body as { body: { homes: Array<{ therm_mode?: string }> } }).body.homes[0]?.therm_mode;
}

describe('home thermostat mode and schedule', () => {
  it('away with an end time: Netatmo gets the end time, and the home shows its schedule again once it passed', async () => {
    const clock = new ScaledClock(SPEED);
    fx = await startCommandBridge({ brokerUrl: broker.url, clock });
    const f = fx;
    await f.until(() => f.state(HOME)?.thermostat_mode != null, 15_000, 'the home');
    const topologyReads = (): number => f.sim.stats().requests.homesdata ?? 0;

    const end = new Date(Math.floor(clock.now() / 1000 + 300) * 1000).toISOString();
    const answer = await f.command(HOME, 'set', JSON.stringify({ thermostat_mode: 'away', end_time: end }));
    expect(answer).toMatchObject({ status: 'ok', data: { device: HOME } });
    expect(await thermMode(f)).toBe('away');
    expect(f.state(HOME)?.thermostat_mode).toBe('away');
    const setthermmode = f.sim
      .log()
      .filter((e) => e.endpoint === 'setthermmode')
      .at(-1);
    expect(Number(setthermmode?.params?.endtime)).toBe(Math.floor(Date.parse(end) / 1000));

    // The end time passes: the bridge reads homesdata again and shows the schedule.
    const before = topologyReads();
    await f.until(
      () => f.state(HOME)?.thermostat_mode === 'schedule',
      15_000,
      'the home back on its schedule',
    );
    expect(topologyReads()).toBeGreaterThan(before);
    expect(await thermMode(f)).toBe('schedule');
  }, 45_000);

  it('frost guard for a duration, a schedule by name, and refusals with a clear answer', async () => {
    fx = await startCommandBridge({ brokerUrl: broker.url, clock: new ScaledClock(SPEED) });
    const f = fx;
    await f.until(() => f.state(HOME)?.thermostat_mode != null, 15_000, 'the home');

    expect(await f.command(HOME, 'set', '{"thermostat_mode":"frost_guard","duration":10}')).toMatchObject({
      status: 'ok',
    });
    expect(await thermMode(f)).toBe('hg');
    await f.until(() => f.state(HOME)?.thermostat_mode === 'schedule', 15_000, 'frost guard over');

    expect(await f.command(HOME, 'set/schedule', 'Winter')).toMatchObject({ status: 'ok' });
    expect(f.state(HOME)?.schedule).toBe('Winter');

    const writes = f.writes();
    const timedSchedule = await f.command(
      HOME,
      'set',
      '{"thermostat_mode":"schedule","end_time":"2030-01-01T00:00:00Z"}',
    );
    expect(timedSchedule).toMatchObject({ status: 'error' });
    expect(timedSchedule.status === 'error' && timedSchedule.error).toMatch(
      /end_time\/duration only go with/,
    );
    const unknown = await f.command(HOME, 'set/schedule', 'Summer');
    expect(unknown).toMatchObject({ status: 'error' });
    expect(unknown.status === 'error' && unknown.error).toMatch(/Summer/);
    const past = await f.command(HOME, 'set', '{"thermostat_mode":"away","end_time":"2001-01-01T00:00:00Z"}');
    expect(past.status === 'error' && past.error).toMatch(/in the past/);
    expect(f.writes()).toBe(writes);
  }, 45_000);
});
