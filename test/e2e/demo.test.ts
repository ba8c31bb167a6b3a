/**
 * `npm run demo` on a machine with nothing else running: the demo starts its own simulator and
 * embedded broker, and prints what the bridge published. Run as a real process.
 */
import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';

function run(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: { ...process.env, NETATMO2MQTT_LOG_LEVEL: 'warning' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; stdout so far:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('netatmo2mqtt demo', () => {
  it('runs simulator, embedded broker and bridge, and prints devices, entities and quota use', async () => {
    const { code, stdout } = await run(['demo', '--duration', '2'], 60_000);
    expect(code).toBe(0);
    expect(stdout).toMatch(/MQTT broker\s+mqtt:\/\/127\.0\.0\.1:\d+ \(embedded\)/);
    const devices = Number(/Devices: (\d+)/.exec(stdout)?.[1]);
    expect(devices).toBeGreaterThan(70);
    const entities = Number(/device configs with (\d+) entities/.exec(stdout)?.[1]);
    expect(entities).toBeGreaterThan(300);
    expect(stdout).toMatch(/Netatmo API: \d+ calls in the last hour of a budget of 400\/h/);
    expect(stdout).toMatch(/throttled 0 times/);
  }, 70_000);

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
      const move = await until(
        /Move it:\s+mosquitto_pub -L (mqtt:\/\/127\.0\.0\.1:\d+)\/(\S+) -m 40/,
        40_000,
      );
      expect(move[2]).toBe('netatmo2mqtt/velux_opener_awning/set/position');
      const client = await mqtt.connectAsync(move[1]!, { protocolVersion: 4 });
      await client.publishAsync(move[2]!, '40', { qos: 1 });
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
    const { code, stderr } = await run(['demo', '--bogus'], 30_000);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: netatmo2mqtt demo');
  }, 40_000);
});
