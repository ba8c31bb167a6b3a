/**
 * Netatmo OAuth scopes for every device family the bridge supports (pyatmo's `ALL_SCOPES`).
 * A call outside the granted scopes fails with error code 13. The web UI asks for them; the
 * simulator grants them.
 */
export const NETATMO_SCOPES: readonly string[] = [
  'read_station',
  'read_thermostat',
  'write_thermostat',
  'read_camera',
  'write_camera',
  'access_camera',
  'read_presence',
  'write_presence',
  'access_presence',
  'read_doorbell',
  'access_doorbell',
  'read_homecoach',
  'read_smokedetector',
  'read_carbonmonoxidedetector',
  'read_magellan',
  'write_magellan',
  'read_bubendorff',
  'write_bubendorff',
  'read_smarther',
  'write_smarther',
];
