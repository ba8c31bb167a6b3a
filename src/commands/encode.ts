/**
 * A validated command → the Netatmo calls that carry it and the state it should leave, as its
 * device's family writes them (src/devices/families/*.ts).
 */
import { type EncodeResult, familyById, type ValidCommand } from '../devices/index.js';
import type { DeviceState } from '../devices/types.js';

export function encodeCommand(command: ValidCommand, state: DeviceState | undefined): EncodeResult {
  const family = familyById(command.device.family);
  if (!family.encode) return { error: `${command.device.id} (${command.device.type}) takes no commands` };
  return family.encode(command, state);
}
