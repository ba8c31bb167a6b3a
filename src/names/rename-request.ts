/**
 * `<base>/bridge/request/device/rename` (zigbee2mqtt's request): `{"from": "<name or id>",
 * "to": "<new name>"}`, answered on `bridge/response/device/rename` with
 * `{"status":"ok","data":{"from":"<old name>","to":"<new name>"}}` or the reason it was refused.
 */
import { type DeviceNames, RenameError } from './device-names.js';

export async function renameFromRequest(
  names: Pick<DeviceNames, 'rename'>,
  from: unknown,
  to: unknown,
): Promise<{ from: string; to: string }> {
  if (typeof from !== 'string' || from === '')
    throw new RenameError(
      'from must be the device\'s friendly name or id, e.g. {"from":"Living room","to":"Lounge"}',
    );
  if (typeof to !== 'string') throw new RenameError('to must be the new friendly name (a string)');
  return names.rename(from, to);
}
