import type { WorldSeed } from '../world/seed.js';
import { loadCatalogueSeed } from './catalogue.js';
import { loadFixturesSeed } from './fixtures.js';
import { generateMetersSeed, MAX_METERS } from './meters.js';
import { isPyatmoHome, loadPyatmoHome, PYATMO_HOMES } from './pyatmo-homes.js';
import { generateScaleSeed, MAX_HOMES, MAX_MODULES, MIN_MODULES } from './scale.js';

/** Every scenario name, as the CLI and errors list them. */
export const SCENARIO_FORMS = `fixtures, ${PYATMO_HOMES.join(', ')}, catalogue, scale:HOMES,MODULES or meters:N`;

/**
 * Builds the world seed for a scenario string: `fixtures`, one of the pyatmo homes, `catalogue`,
 * `scale:HOMES,MODULES` or `meters:N`. Throws an Error with a message meant for the user when
 * the string is not understood.
 */
export function seedForScenario(scenario: string, nowMs: number): WorldSeed {
  if (scenario === 'fixtures') return loadFixturesSeed();
  if (scenario === 'catalogue') return loadCatalogueSeed();
  if (isPyatmoHome(scenario)) return loadPyatmoHome(scenario);
  const meters = /^meters:(\d+)$/.exec(scenario);
  if (meters) {
    const count = Number(meters[1]);
    if (count < 1 || count > MAX_METERS)
      throw new Error(`scenario '${scenario}': N must be 1..${MAX_METERS}`);
    return generateMetersSeed(count, nowMs);
  }
  const match = /^scale:(\d+),(\d+)$/.exec(scenario);
  if (!match) {
    throw new Error(`unknown scenario '${scenario}': use ${SCENARIO_FORMS} (e.g. scale:3,40, meters:20)`);
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
