/**
 * Home Assistant's add-on linter (frenck/action-addon-linter), re-done for tests: its JSON Schema
 * (src/config.schema.json at commit 2bd8faa, April 2026, MIT, copied into test/addon/fixtures)
 * checked with Ajv, plus the rules the linter applies beside the schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const SCHEMA_FILE = new URL('./fixtures/ha-addon-linter.schema.json', import.meta.url);

interface LinterSchema {
  properties: Record<string, { default?: unknown }>;
}

const DEPRECATED_ARCH = new Set(['armhf', 'armv7', 'i386']);

function loadSchema(): LinterSchema & Record<string, unknown> {
  // The linter is Python: `(?P<name>…)` is its named group; JavaScript spells it `(?<name>…)`.
  const text = readFileSync(SCHEMA_FILE, 'utf8').replaceAll('(?P<', '(?<');
  return JSON.parse(text) as LinterSchema & Record<string, unknown>;
}

function isUriReference(value: string): boolean {
  try {
    new URL(value, 'http://base.invalid/');
    return !/\s/.test(value);
  } catch {
    return false;
  }
}

const schema = loadSchema();
// strictTypes off: the upstream schema puts `pattern` on untyped items; everything else stays strict.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
ajv.addFormat('uri-reference', isUriReference);
const validateSchema = ajv.compile(schema);

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every problem the linter would report for this parsed config.yaml; empty when it passes. */
export function lintAddonConfig(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!validateSchema(config)) {
    for (const error of validateSchema.errors ?? []) {
      problems.push(`schema: ${error.instancePath || '/'} ${error.message ?? ''}`.trim());
    }
  }
  for (const [key, spec] of Object.entries(schema.properties)) {
    if (key in config && 'default' in spec && sameValue(config[key], spec.default)) {
      problems.push(`${key}: set to its default value ${JSON.stringify(spec.default)}; remove it`);
    }
  }
  if ('watchdog' in config) problems.push('watchdog: obsolete, use a Dockerfile HEALTHCHECK');
  if (config.ingress === true && 'webui' in config) problems.push('webui: not allowed with ingress');
  if (config.host_network === true && 'ingress_port' in config) {
    problems.push('ingress_port: makes no sense with host_network');
  }
  const arch = Array.isArray(config.arch) ? config.arch : [];
  for (const a of arch) {
    if (DEPRECATED_ARCH.has(String(a))) problems.push(`arch: ${String(a)} is deprecated`);
  }
  for (const key of ['full_access', 'advanced']) {
    if (key in config) problems.push(`${key}: discouraged`);
  }
  if ('auto_uart' in config) problems.push('auto_uart: deprecated, use uart');
  if ('codenotary' in config) problems.push('codenotary: no longer supported');
  if (config.backup === 'cold' && ('backup_pre' in config || 'backup_post' in config)) {
    problems.push('backup_pre/backup_post: not allowed with backup: cold');
  }
  const map = Array.isArray(config.map) ? config.map : [];
  const mapTypes = map.map((m) =>
    typeof m === 'string' ? m.split(':')[0] : String((m as { type?: unknown }).type),
  );
  // `config` is the legacy name of homeassistant_config and clashes with addon_config (/config).
  if (mapTypes.includes('config')) problems.push('map: use homeassistant_config instead of config');
  return problems;
}
