#!/usr/bin/env node
/**
 * netatmo2mqtt command line: `start`, `demo`, `simulator`, `auth`.
 * Each command lives in src/cli/ and returns the process exit code.
 */
import { commands, usage } from './cli/commands.js';
import { formatHelp, wantsHelp } from './cli/help.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { version } = await import('./version.js');
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`netatmo2mqtt: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(formatHelp(await command.help()));
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    // Commands that keep running (start, demo, simulator) never resolve until shutdown.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`netatmo2mqtt: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
