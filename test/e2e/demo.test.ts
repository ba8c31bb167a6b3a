/**
 * `npm run demo` on a machine with nothing else running: the demo starts its own simulator and
 * embedded broker, and prints what the bridge published. Run as a real process: how it ends
 * (by itself, Ctrl+C, Ctrl+C twice) must never leave its temporary folder behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { allowanceSentence, splitSentence } from '../../src/netatmo/quota-plan.js';

interface Demo {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], timeoutMs: number): Demo {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { ...process.env, NETATMO2MQTT_LOG_LEVEL: 'warning' },
  });
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far:\n${stdout}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, exited };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dataDirOf = (stdout: string): string => /data directory\s+(\S+)/.exec(stdout)?.[1] ?? '';

describe('netatmo2mqtt demo', () => {
  it('says it waits for the first poll, prints labelled summaries in one quota vocabulary, and cleans up', async () => {
    const demo = start(['demo', '--duration', '2'], 60_000);
    const { code } = await demo.exited;
    const stdout = demo.stdout();
    expect(code).toBe(0);
    expect(stdout).toMatch(/MQTT broker\s+mqtt:\/\/127\.0\.0\.1:\d+ \(embedded\)/);
    // What Netatmo allows, what the bridge plans for and how it splits, in the words of quota-plan.ts.
    expect(stdout).toContain(`own_app: ${allowanceSentence('own_app')}; ${splitSentence('own_app')}`);
    const waiting = stdout.indexOf('Waiting for the first poll');
    const first = stdout.indexOf('After the first poll (');
    expect(waiting).toBeGreaterThan(0);
    expect(first).toBeGreaterThan(waiting);
    expect(stdout.indexOf('When stopped (after ')).toBeGreaterThan(first);
    const devices = Number(/Devices: (\d+)/.exec(stdout)?.[1]);
    expect(devices).toBeGreaterThan(70);
    const entities = Number(/device configs with (\d+) entities/.exec(stdout)?.[1]);
    expect(entities).toBeGreaterThan(300);
    expect(stdout).toMatch(/Netatmo API calls: \d+ in the last hour of the 400\/h planned \(.*homesdata 1/);
    expect(stdout).toMatch(/throttled 0 times/);
    expect(stdout).toMatch(/Poll plan: polling may use 360\/h/);
    expect(stdout).toContain('mosquitto-clients');
    const dir = dataDirOf(stdout);
    expect(dir).toMatch(/netatmo2mqtt-demo-/);
    expect(stdout).toContain(`Stopped; removed ${dir}.`);
    expect(existsSync(dir)).toBe(false);
  }, 70_000);

  it.each([
    ['Ctrl+C', 1],
    ['Ctrl+C twice', 2],
  ])(
    'removes its temporary folder when stopped with %s',
    async (_how, presses) => {
      const demo = start(['demo'], 60_000);
      await until(() => demo.stdout().includes('Stop with Ctrl+C.'), 50_000);
      const dir = dataDirOf(demo.stdout());
      expect(existsSync(dir)).toBe(true);
      for (let i = 0; i < presses; i++) demo.child.kill('SIGINT');
      const { code } = await demo.exited;
      // A second press exits at once (130) unless the orderly stop was done already (0).
      expect(presses === 1 ? [0] : [0, 130]).toContain(code);
      expect(existsSync(dir)).toBe(false);
    },
    70_000,
  );

  it('--scenario velux: publishing a position to a VELUX opener prints the command, the answer and the movement', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'demo', '--scenario', 'velux', '--duration', '40'],
      {
        env: { ...process.env, NETATMO2MQTT_LOG_LEVEL: 'warning' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const until = async (pattern: RegExp, ms: number): Promise<RegExpExecArray> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const move = await until(/Move it:\s+mosquitto_pub -h (\S+) -p (\d+) -t '([^']+)' -m 40/, 40_000);
      // The opener's friendly name (its Netatmo name) is the topic.
      expect(move[3]).toBe('netatmo2mqtt/Bedroom Awning/set/position');
      const client = await mqtt.connectAsync(`mqtt://${move[1]}:${move[2]}`, { protocolVersion: 4 });
      await client.publishAsync(move[3]!, '40', { qos: 1 });
      await client.endAsync();
      await until(/→ Bedroom Awning \(velux_opener_awning\): position = 40/, 10_000);
      await until(/← Bedroom Awning \(velux_opener_awning\): Netatmo took \{"position":40\}/, 10_000);
      // The opener travels (100 % per 30 s): the next read finds it on its way down.
      const moving = await until(/Bedroom Awning \(velux_opener_awning\): position 100 → (\d+)/, 20_000);
      expect(Number(moving[1])).toBeLessThan(100);
      expect(Number(moving[1])).toBeGreaterThanOrEqual(40);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);

  it('refuses unknown options with a usage line', async () => {
    const demo = start(['demo', '--bogus'], 30_000);
    const { code } = await demo.exited;
    expect(code).toBe(2);
    expect(demo.stdout()).toContain('Usage: netatmo2mqtt demo');
  }, 40_000);
});
