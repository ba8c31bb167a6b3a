/**
 * `netatmo2mqtt <command> --help` for every command, as a real process: exit 0, the command's
 * usage and options, and what it reads — every NETATMO2MQTT_* variable and the configuration
 * file locations for the commands that read configuration.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { CONFIG_KEYS } from '../../src/config/keys.js';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('--help', () => {
  it.each(Object.keys(commands))(
    'netatmo2mqtt %s --help says what it takes and reads, and exits 0',
    async (name) => {
      const { code, stdout, stderr } = await run([name, '--help']);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toMatch(new RegExp(`^Usage: netatmo2mqtt ${name}`));
      expect(stdout).toContain('Options:');
      expect(stdout).toContain('-h, --help');
      const help = await commands[name]!.help();
      for (const [flag] of help.options) expect(stdout).toContain(flag);
      if (name === 'start' || name === 'auth') {
        for (const key of CONFIG_KEYS) expect(stdout).toContain(key.env);
        expect(stdout).toContain('./configuration.yaml');
        expect(stdout).toContain('<data_dir>/configuration.yaml');
        expect(stdout).toContain('NETATMO2MQTT_CONFIG');
        expect(stdout).toContain('/data/options.json');
      } else {
        expect(stdout).toContain('Reads no configuration file');
      }
    },
  );

  it('the command list points to each command’s help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of Object.keys(commands)) expect(stdout).toContain(`  ${name} `);
    expect(stdout).toContain('<command> --help');
  });
});
