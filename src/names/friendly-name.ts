/**
 * What a device's friendly name may be (zigbee2mqtt style): it is the device's topic under the
 * base topic, `<base>/<friendly name>`, so `/` is allowed and makes levels, but nothing may make
 * the topics ambiguous or unsafe:
 * - no `+`, `#` (wildcards), no control characters (NUL included), no empty level (no leading,
 *   trailing or double `/`);
 * - no level that the bridge's own topics use after a name (`set`, `get`, `availability`,
 *   `event`): `<base>/a/set/b/set` could not be told apart;
 * - not `bridge` as its first level (`<base>/bridge/…` is the bridge's own);
 * - at most MAX_NAME_CHARS characters and MAX_NAME_LEVELS levels: the bridge subscribes to
 *   command topics level by level (src/mqtt/connection.ts), so the depth is bounded.
 */

export const MAX_NAME_CHARS = 100;
export const MAX_NAME_LEVELS = 5;
/** Levels that follow a device's name in its own topics. */
export const RESERVED_LEVELS: readonly string[] = ['set', 'get', 'availability', 'event'];
const RESERVED_FIRST_LEVEL = 'bridge';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE = /[+#\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces.
const UNSAFE_ALL = /[+#\u0000-\u001f\u007f]/g;

/** Why `name` cannot be a friendly name, or undefined when it can. */
export function friendlyNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_CHARS) return `must be at most ${MAX_NAME_CHARS} characters long`;
  if (UNSAFE.test(name)) return 'must not contain +, # or control characters';
  const levels = name.split('/');
  if (levels.some((level) => level.length === 0)) return 'must not start or end with / nor contain //';
  if (levels.some((level) => level.trim() !== level))
    return 'must not have spaces at the start or end of a level';
  if (levels.length > MAX_NAME_LEVELS) return `must have at most ${MAX_NAME_LEVELS} levels (parts between /)`;
  if (levels[0] === RESERVED_FIRST_LEVEL)
    return `must not start with ${RESERVED_FIRST_LEVEL}/ nor be ${RESERVED_FIRST_LEVEL}`;
  const reserved = levels.find((level) => RESERVED_LEVELS.includes(level));
  if (reserved !== undefined) return `must not contain the level '${reserved}' (the bridge's topics use it)`;
  return undefined;
}

/**
 * A friendly name made from a Netatmo name (or any text): wildcards and control characters
 * become `_`, spaces around levels and empty levels go, reserved levels get a `_` appended,
 * and it is cut to the limits. Empty when nothing usable is left.
 */
export function topicSafeName(text: string): string {
  const name = cleanLevels(text);
  // Appending `_` to reserved levels adds at most one character per level.
  return name.length <= MAX_NAME_CHARS ? name : cleanLevels(name.slice(0, MAX_NAME_CHARS - MAX_NAME_LEVELS));
}

function cleanLevels(text: string): string {
  return text
    .replace(UNSAFE_ALL, '_')
    .split('/')
    .map((level) => level.trim())
    .filter((level) => level.length > 0)
    .slice(0, MAX_NAME_LEVELS)
    .map((level, i) =>
      RESERVED_LEVELS.includes(level) || (i === 0 && level === RESERVED_FIRST_LEVEL) ? `${level}_` : level,
    )
    .join('/');
}

/** How many topic levels `name` spans. */
export function levelsOf(name: string): number {
  return name.split('/').length;
}
