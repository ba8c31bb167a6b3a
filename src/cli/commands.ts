/** The command table of the `netatmo2mqtt` CLI; each command answers `--help` (help.ts). */
import { type CommandHelp, HELP } from './help.js';

export interface Command {
  summary: string;
  /** One usage line for the command list. */
  usage: string;
  /** The full `--help` (the simulator's is loaded with the simulator). */
  help(): CommandHelp | Promise<CommandHelp>;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  start: {
    summary: 'run the bridge',
    usage: HELP.start.usage,
    help: () => HELP.start,
    run: async (argv) => (await import('./start.js')).runStartCommand(argv),
  },
  demo: {
    summary: 'simulator + embedded broker + bridge in one process',
    usage: HELP.demo.usage,
    help: () => HELP.demo,
    run: async (argv) => (await import('./demo.js')).runDemoCommand(argv),
  },
  simulator: {
    summary: 'the Netatmo cloud simulator alone',
    usage: 'netatmo2mqtt simulator --port N [--scenario NAME] [--quota per-token|per-user] [...]',
    help: async () => (await import('../simulator/cli.js')).SIMULATOR_HELP,
    run: async (argv) => (await import('../simulator/cli.js')).runSimulatorCommand(argv),
  },
  auth: {
    summary: 'store a Netatmo refresh token in data_dir',
    usage: 'netatmo2mqtt auth --refresh-token TOKEN | --status [--config FILE]',
    help: () => HELP.auth,
    run: async (argv) => (await import('./auth.js')).runAuthCommand(argv),
  },
};

export function usage(): string {
  const lines = Object.entries(commands).map(
    ([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n      ${c.usage}`,
  );
  return `Usage: netatmo2mqtt <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n'netatmo2mqtt <command> --help' says more about each.\n`;
}
