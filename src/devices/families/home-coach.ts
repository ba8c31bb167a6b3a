/** The Smart Indoor Air Quality Monitor: health index and indoor climate, from gethomecoachsdata. */
import { diagnostics, enumSensor, HEALTH_INDEX, indoorClimate } from '../capability.js';
import { moduleFamily } from '../family.js';

export const homeCoach = moduleFamily({
  id: 'home_coach',
  kind: 'home_coach',
  // biome-ignore format: one line per type
  types: {
    NHC: { model: 'Smart Indoor Air Quality Monitor', vendor: 'Netatmo', wifi: true },
  },
  capabilities: ({ entry, reported }) => [
    enumSensor('health_index', 'Health index', HEALTH_INDEX),
    ...indoorClimate,
    ...diagnostics(entry, reported),
  ],
});
