/**
 * `netatmo2mqtt <command> --help`: each command's usage, options, the environment variables it
 * reads and where it looks for configuration. The variables and defaults come from the config
 * schema (config/keys.ts), so the help cannot drift from what the bridge accepts. The
 * simulator's help lives with the simulator (src/simulator/cli.ts), which the bridge's CLI may
 * import but which may not import it.
 */
import { ADDON_OPTIONS_FILE_ENV, CONFIG_FILE_ENV, CONFIG_KEYS, type ConfigKey } from '../config/keys.js';

export interface CommandHelp {
  usage: string;
  /** What it does, a sentence or two. */
  about: string;
  /** `[flag, what]` pairs. */
  options: Array<[string, string]>;
  /** Paragraphs on environment and configuration files. */
  environment: string[];
}

export const DEMO_USAGE =
  'netatmo2mqtt demo [--mqtt URL] [--scenario NAME] [--duration SECONDS] [--base-topic T]';

const HELP_OPTION: [string, string] = ['-h, --help', 'show this help and exit'];
const CONFIG_OPTION: [string, string] = [
  '-c, --config FILE',
  `configuration file, YAML (JSON when it ends in .json); must exist. Also ${CONFIG_FILE_ENV}=FILE`,
];

function defaultOf(key: ConfigKey): string {
  if (key.default !== undefined) return ` (default ${String(key.default)})`;
  return key.secret ? ' (secret)' : '';
}

/** Every NETATMO2MQTT_* variable with its key and default, one per line. */
export function environmentList(): string {
  const width = Math.max(...CONFIG_KEYS.map((k) => k.env.length));
  return CONFIG_KEYS.map((k) => `  ${k.env.padEnd(width)}  ${k.path}${defaultOf(k)}`).join('\n');
}

const CONFIGURATION = [
  'Configuration, later sources win: defaults; a configuration file; the add-on options in ' +
    `/data/options.json (only when SUPERVISOR_TOKEN is set; ${ADDON_OPTIONS_FILE_ENV} moves it); environment variables.`,
  `Configuration file: --config FILE or ${CONFIG_FILE_ENV}; otherwise the first that exists of ./configuration.yaml and ` +
    '<data_dir>/configuration.yaml, where data_dir is NETATMO2MQTT_DATA_DIR or ./data (/data in the add-on).',
  'Every key, its default and what it does: src/config/README.md (https://github.com/netatmo2mqtt/netatmo2mqtt/blob/main/src/config/README.md).',
  `Environment variables, one per key (NETATMO2MQTT_<SECTION>_<KEY>):\n${environmentList()}`,
];

export const HELP = {
  start: {
    usage: 'netatmo2mqtt start [--config FILE]',
    about:
      'Runs the bridge until SIGINT, SIGTERM or SIGHUP: polls Netatmo within its quota, publishes to MQTT with ' +
      'Home Assistant discovery, takes commands. Without a Netatmo token yet it waits: connect in the web UI ' +
      '(web.port, default 8099) or use `netatmo2mqtt auth`.',
    options: [CONFIG_OPTION, HELP_OPTION],
    environment: CONFIGURATION,
  },
  auth: {
    usage:
      'netatmo2mqtt auth --refresh-token TOKEN [--config FILE]\n       netatmo2mqtt auth --status [--config FILE]',
    about:
      "Stores a Netatmo token pair in data_dir without starting the bridge: the refresh token (from your app's " +
      'Token generator at dev.netatmo.com) is exchanged at once, so a refused token is reported here. ' +
      '--status says whether a token is stored, never the token.',
    options: [
      ['--refresh-token TOKEN', 'the refresh token to exchange and store'],
      ['--status', 'say what data_dir holds (exit 1 when no token is stored)'],
      CONFIG_OPTION,
      HELP_OPTION,
    ],
    environment: [
      'Reads the same configuration as start; it needs netatmo.client_id, netatmo.client_secret and data_dir.',
      ...CONFIGURATION,
    ],
  },
  demo: {
    usage: DEMO_USAGE,
    about:
      'The whole bridge on this machine with nothing installed: the built-in Netatmo simulator, an embedded MQTT ' +
      'broker (unless --mqtt) and the bridge with its web UI, in one process. Prints what it published and the ' +
      'quota it spent, then runs until Ctrl+C (or --duration); its temporary data directory is removed on exit.',
    options: [
      ['--mqtt URL', 'use this broker instead of an embedded one, e.g. mqtt://127.0.0.1:1883'],
      [
        '--scenario NAME',
        'simulator scenario (default fixtures; catalogue holds every fixture home; `netatmo2mqtt simulator --help` lists them all)',
      ],
      ['--duration SECONDS', 'stop by itself after this long'],
      ['--base-topic T', 'MQTT base topic (default netatmo2mqtt)'],
      HELP_OPTION,
    ],
    environment: [
      'Reads no configuration file and no NETATMO2MQTT_* variable: everything it needs is temporary.',
    ],
  },
} satisfies Record<string, CommandHelp>;

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

const WIDTH = 100;

/** Word-wraps one paragraph to WIDTH columns, continuation lines indented by `indent`. */
function wrap(text: string, indent = 0, first = 0): string {
  const lines: string[] = [];
  let line = '';
  let room = WIDTH - first;
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = WIDTH - indent;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

export function formatHelp(help: CommandHelp): string {
  const width = Math.max(...help.options.map(([flag]) => flag.length));
  const options = help.options
    .map(([flag, what]) => `  ${flag.padEnd(width)}  ${wrap(what, width + 4, width + 4)}`)
    .join('\n');
  // Paragraphs with their own line breaks (the variable list) are kept as they are.
  const environment = help.environment.map((p) => (p.includes('\n') ? p : wrap(p))).join('\n\n');
  return `Usage: ${help.usage}\n\n${wrap(help.about)}\n\nOptions:\n${options}\n\n${environment}\n`;
}
