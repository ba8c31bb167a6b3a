import type { WorldSeed } from '../world/seed.js';
import { loadFixturesSeed } from './fixtures.js';
import { generateScaleSeed, MAX_HOMES, MAX_MODULES, MIN_MODULES } from './scale.js';

/**
 * Builds the world seed for a scenario string: `fixtures` or `scale:HOMES,MODULES`.
 * Throws an Error with a message meant for the user when the string is not understood.
 */
export function seedForScenario(scenario: string, nowMs: number): WorldSeed {
  if (scenario === 'fixtures') return loadFixturesSeed();
  const match = /^scale:(\d+),(\d+)$/.exec(scenario);
  if (!match) {
    throw new Error(
      `unknown scenario '${scenario}': use 'fixtures' or 'scale:HOMES,MODULES' (e.g. scale:3,40)`,
    );
  }
  const homes = Number(match[1]);
  const modules = Number(match[2]);
  if (homes < 1 || homes > MAX_HOMES)
    throw new Error(`scenario '${scenario}': HOMES must be 1..${MAX_HOMES}`);
  if (modules < MIN_MODULES || modules > MAX_MODULES) {
    throw new Error(
      `scenario '${scenario}': MODULES must be ${MIN_MODULES}..${MAX_MODULES} (${MIN_MODULES} covers every device kind once)`,
    );
  }
  return generateScaleSeed(homes, modules, nowMs);
}
