import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ADDON_OPTIONS, configSchema, mergeConfig, validateConfig } from '../../src/config/index.js';
import { keyByPath } from '../../src/config/keys.js';
import { readAddonOptions } from '../../src/config/sources.js';
import { lintAddonConfig } from './addon-linter.js';

const root = new URL('../../', import.meta.url);
const readYaml = (name: string): Record<string, unknown> =>
  parseYaml(readFileSync(new URL(name, root), 'utf8')) as Record<string, unknown>;

const addon = readYaml('config.yaml');
const options = addon.options as Record<string, unknown>;
const fullSchema = addon.schema as Record<string, unknown>;
/** The scalar options; `accounts` is a list of entries, checked on its own. */
const schema = Object.fromEntries(
  Object.entries(fullSchema).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
);
const translations = (readYaml('translations/en.yaml').configuration ?? {}) as Record<
  string,
  { name?: string; description?: string }
>;

interface OptionType {
  base: string;
  args?: string;
  optional: boolean;
}

/** Home Assistant's option type syntax: `int(1,600)?`, `list(a|b)`, `password`. */
function parseType(text: string): OptionType {
  const match = /^(str|password|url|email|bool|port|int|float|list|match|device)(?:\((.*)\))?(\?)?$/.exec(
    text,
  );
  if (!match) throw new Error(`not a Home Assistant option type: ${text}`);
  return { base: match[1]!, args: match[2], optional: match[3] === '?' };
}

interface LeafSchema {
  type: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

function leafSchema(path: string): LeafSchema {
  const [section, key] = path.split('.');
  const properties = configSchema.properties as Record<string, { properties?: Record<string, LeafSchema> }>;
  const leaf = key === undefined ? properties[section!] : properties[section!]?.properties?.[key];
  if (!leaf) throw new Error(`no config schema entry for ${path}`);
  return leaf as LeafSchema;
}

describe('config.yaml against the Home Assistant add-on linter', () => {
  it('passes the linter schema and rules', () => {
    expect(lintAddonConfig(addon)).toEqual([]);
  });

  it('the linter checks are not vacuous: the classic mistakes are each reported', () => {
    const broken = {
      ...addon,
      startup: 'application',
      ingress_port: 8099,
      watchdog: 'http://[HOST]:[PORT:8099]/',
      webui: 'http://[HOST]:[PORT:8099]/',
      arch: ['aarch64', 'amd64', 'armv7'],
      services: ['mqtt:demand'],
      colour: 'blue',
    };
    const problems = lintAddonConfig(broken).join('\n');
    for (const expected of [
      'startup: set to its default',
      'ingress_port: set to its default',
      'watchdog: obsolete',
      'webui: not allowed with ingress',
      'arch: armv7 is deprecated',
      '/services/0 must match pattern',
      'must NOT have additional properties',
    ]) {
      expect(problems).toContain(expected);
    }
  });

  it('is the netatmo2mqtt app: slug, MQTT wanted (an own broker works too), ingress, own init, version of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
    expect(addon.version).toBe(pkg.version);
    expect(addon.slug).toBe('netatmo2mqtt');
    expect(addon.services).toEqual(['mqtt:want']);
    expect(addon.ingress).toBe(true);
    // The web UI listens on web.port, whose default is Home Assistant's default ingress port.
    expect(leafSchema('web.port').default).toBe(8099);
    expect(addon.ingress_port ?? 8099).toBe(8099);
    // The image starts tini itself (Dockerfile ENTRYPOINT); a second init would be redundant.
    expect(addon.init).toBe(false);
    expect(String(addon.panel_icon)).toMatch(/^mdi:[a-z0-9-]+$/);
  });
});

describe('app store images', () => {
  /** Width and height from a PNG's IHDR chunk. */
  function pngSize(name: string): [number, number] {
    const bytes = readFileSync(new URL(name, root));
    expect(bytes.subarray(1, 4).toString('ascii'), `${name} is a PNG`).toBe('PNG');
    return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  }

  it('icon.png is 128×128 and logo.png about 250×100', () => {
    expect(pngSize('icon.png')).toEqual([128, 128]);
    expect(pngSize('logo.png')).toEqual([250, 100]);
  });
});

describe('config.yaml options', () => {
  it('every option has a schema entry, and every schema entry is an option or optional', () => {
    for (const name of Object.keys(options)) expect(fullSchema, name).toHaveProperty(name);
    for (const [name, type] of Object.entries(schema)) {
      const { optional } = parseType(type);
      // Home Assistant: an optional option (`?`) must not appear in `options`.
      expect(optional ? !(name in options) : name in options, `${name}: ${type}`).toBe(true);
    }
  });

  it('accounts: a list (empty by default, so optional) whose entries are the accounts[] keys', () => {
    expect(options.accounts).toEqual([]);
    expect(ADDON_OPTIONS.accounts).toBe('accounts');
    const entry = (fullSchema.accounts as Array<Record<string, string>>)[0]!;
    expect(Object.keys(entry).sort()).toEqual(
      Object.keys(configSchema.properties.accounts.items.properties).sort(),
    );
    expect(parseType(entry.name!)).toEqual({
      base: 'match',
      args: configSchema.properties.accounts.items.properties.name.pattern,
      optional: false,
    });
    expect(parseType(entry.refresh_token!)).toEqual({ base: 'password', args: undefined, optional: true });
    expect(parseType(entry.profile!).args?.split('|')).toEqual(
      configSchema.properties.accounts.items.properties.profile.enum,
    );
    expect(translations.accounts?.description).toMatch(/\S/);
  });

  it('every option maps to a configuration key through ADDON_OPTIONS', () => {
    for (const name of Object.keys(schema)) {
      const path = ADDON_OPTIONS[name];
      expect(path, `${name} is not in ADDON_OPTIONS`).toBeDefined();
      expect(keyByPath.has(path!), `${name} → ${path}`).toBe(true);
    }
  });

  it('every option has an English name and description, and no translation is orphaned', () => {
    for (const name of Object.keys(schema)) {
      expect(translations[name]?.name, `${name}.name`).toMatch(/\S/);
      expect(translations[name]?.description, `${name}.description`).toMatch(/\S/);
    }
    expect(Object.keys(translations).sort()).toEqual(Object.keys(fullSchema).sort());
  });

  it('secrets are password fields, and only secrets are', () => {
    for (const [name, type] of Object.entries(schema)) {
      const secret = keyByPath.get(ADDON_OPTIONS[name]!)?.secret ?? false;
      expect(parseType(type).base === 'password', `${name}: ${type}`).toBe(secret);
    }
    expect(parseType(schema.client_secret!).base).toBe('password');
    expect(parseType(schema.refresh_token!)).toEqual({ base: 'password', args: undefined, optional: true });
    expect(parseType(schema.mqtt_password!).base).toBe('password');
  });

  it('types, choices and limits agree with the bridge configuration schema', () => {
    for (const [name, text] of Object.entries(schema)) {
      const type = parseType(text);
      const leaf = leafSchema(ADDON_OPTIONS[name]!);
      const where = `${name}: ${text}`;
      if (type.base === 'bool') expect(leaf.type, where).toBe('boolean');
      else if (type.base === 'int') {
        expect(leaf.type, where).toBe('integer');
        expect(type.args, where).toBe(`${leaf.minimum},${leaf.maximum}`);
      } else expect(leaf.type, where).toBe('string');
      if (type.base === 'list') expect(type.args?.split('|'), where).toEqual(leaf.enum);
      else expect(leaf.enum, `${where} should be list(...)`).toBeUndefined();
    }
    expect(schema.profile).toBe('list(own_app|shared_app)');
    expect(schema.log_level).toBe('list(error|warning|info|debug)');
  });

  it('the pre-filled values are the bridge defaults, and the credentials are left for the user', () => {
    expect(options.client_id).toBeNull();
    expect(options.client_secret).toBeNull();
    for (const [name, value] of Object.entries(options)) {
      if (value === null || name === 'accounts') continue;
      expect(value, name).toEqual(leafSchema(ADDON_OPTIONS[name]!).default);
    }
  });

  describe('the options.json Home Assistant writes from them', () => {
    let dir: string | undefined;
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('is a valid bridge configuration once the credentials are filled in', async () => {
      dir = await mkdtemp(join(tmpdir(), 'n2m-addon-'));
      const file = join(dir, 'options.json');
      await writeFile(
        file,
        JSON.stringify({ ...options, client_id: 'abc123', client_secret: 's3cr3t-value' }),
      );
      const merged = mergeConfig([await readAddonOptions(file)]);
      const config = validateConfig(merged.values, { origins: merged.origins, issues: merged.issues });
      expect(config.netatmo).toMatchObject({ client_id: 'abc123', profile: 'own_app' });
      expect(config.mqtt.base_topic).toBe('netatmo2mqtt');
      expect(config.homeassistant.discovery_prefix).toBe('homeassistant');
      expect(config.log_level).toBe('info');
    });

    it('without the credentials the bridge refuses to start and names them', async () => {
      dir = await mkdtemp(join(tmpdir(), 'n2m-addon-'));
      const file = join(dir, 'options.json');
      await writeFile(file, JSON.stringify(options));
      const merged = mergeConfig([await readAddonOptions(file)]);
      expect(() => validateConfig(merged.values, { origins: merged.origins, issues: merged.issues })).toThrow(
        /netatmo\.client_id[\s\S]*netatmo\.client_secret|netatmo\.client_secret[\s\S]*netatmo\.client_id/,
      );
    });
  });
});
