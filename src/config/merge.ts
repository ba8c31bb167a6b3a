/**
 * Layers of configuration and how they merge: defaults < config file < add-on options <
 * environment. Each layer remembers where each value came from so that an error can say
 * "from NETATMO2MQTT_WEB_PORT" instead of leaving the user to guess.
 */
import type { ConfigIssue } from './errors.js';

export type ConfigValues = Record<string, unknown>;
/** Dotted path → human label of the value's source (an env var name, a file path, …). */
export type ConfigOrigins = Record<string, string>;

export interface ConfigLayer {
  /** Nested values as users write them. `null`, `''` and `[]` mean "not set" and never override. */
  values: ConfigValues;
  origins: ConfigOrigins;
  /** Problems found while reading the source itself (unknown env vars or options, bad files). */
  issues: ConfigIssue[];
}

export interface MergedConfig {
  values: ConfigValues;
  origins: ConfigOrigins;
  issues: ConfigIssue[];
}

export function isPlainObject(value: unknown): value is ConfigValues {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An empty list too: the add-on must list `accounts: []` among its options to make it optional. */
export function isUnset(value: unknown): boolean {
  return (
    value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

/** A layer from a nested object (a config file): every leaf is labelled with the same source. */
export function layerFromObject(values: ConfigValues, source: string): ConfigLayer {
  const origins: ConfigOrigins = {};
  const walk = (node: ConfigValues, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      origins[path] = source;
      if (isPlainObject(value)) walk(value, path);
    }
  };
  walk(values, '');
  return { values, origins, issues: [] };
}

/** Sets a dotted path (at most one level of sections) in a nested object. */
export function setPath(target: ConfigValues, path: string, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot < 0) {
    target[path] = value;
    return;
  }
  const section = path.slice(0, dot);
  const existing = target[section];
  const child: ConfigValues = isPlainObject(existing) ? existing : {};
  target[section] = child;
  child[path.slice(dot + 1)] = value;
}

/** Later layers win, key by key; sections merge rather than replace. Inputs are not mutated. */
export function mergeConfig(layers: readonly ConfigLayer[]): MergedConfig {
  const values: ConfigValues = {};
  const origins: ConfigOrigins = {};
  const issues: ConfigIssue[] = [];
  for (const layer of layers) {
    mergeInto(values, layer.values);
    for (const [path, source] of Object.entries(layer.origins)) {
      if (!isUnset(valueAt(layer.values, path))) origins[path] = source;
    }
    issues.push(...layer.issues);
  }
  return { values, origins, issues };
}

function mergeInto(target: ConfigValues, source: ConfigValues): void {
  for (const [key, value] of Object.entries(source)) {
    if (isUnset(value)) continue;
    const existing = target[key];
    if (isPlainObject(value)) {
      const child: ConfigValues = isPlainObject(existing) ? existing : {};
      target[key] = child;
      mergeInto(child, value);
    } else {
      target[key] = value;
    }
  }
}

function valueAt(values: ConfigValues, path: string): unknown {
  let node: unknown = values;
  for (const part of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[part];
  }
  return node;
}
