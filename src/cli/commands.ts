/** The command table of the `netatmo2mqtt` CLI. */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  start: {
    summary: 'run the bridge',
    usage: 'netatmo2mqtt start [--config FILE]',
    run: async (argv) => (await import('./start.js')).runStartCommand(argv),
  },
  demo: {
    summary: 'simulator + embedded broker + bridge in one process',
    usage: 'netatmo2mqtt demo [--mqtt URL] [--scenario fixtures|scale:HOMES,MODULES] [--duration SECONDS]',
    run: async (argv) => (await import('./demo.js')).runDemoCommand(argv),
  },
  simulator: {
    summary: 'the Netatmo cloud simulator alone',
    usage:
      'netatmo2mqtt simulator --port N [--scenario fixtures|scale:HOMES,MODULES] [--quota per-token|per-user] [--throttle 429|403|waf]',
    run: async (argv) => (await import('../simulator/cli.js')).runSimulatorCommand(argv),
  },
  auth: {
    summary: 'store a Netatmo refresh token in data_dir',
    usage: 'netatmo2mqtt auth --refresh-token TOKEN | --status [--config FILE]',
    run: async (argv) => (await import('./auth.js')).runAuthCommand(argv),
  },
};

export function usage(): string {
  const lines = Object.entries(commands).map(
    ([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n      ${c.usage}`,
  );
  return `Usage: netatmo2mqtt <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}
