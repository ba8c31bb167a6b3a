/**
 * Fencing of commands: an account whose lease moved to another process must not have a command
 * sent by this one too (the new owner serves it). Every Netatmo write of the CommandRouter passes
 * this check as it is handed to the Netatmo client; a refused command is answered with the reason.
 */
import type { CommandApi } from '../commands/dispatcher.js';
import { BridgeError } from '../errors.js';

export class AccountNotHeldError extends BridgeError {}

export function fencedCommandApi(api: CommandApi, holds: () => boolean, account: string): CommandApi {
  const check = (): void => {
    if (!holds())
      throw new AccountNotHeldError(
        `not sent: this process no longer serves account ${account} (another process took it over)`,
      );
  };
  return {
    setState: async (request, call) => {
      check();
      return api.setState(request, call);
    },
    setRoomThermPoint: async (point, call) => {
      check();
      return api.setRoomThermPoint(point, call);
    },
    setThermMode: async (mode, call) => {
      check();
      return api.setThermMode(mode, call);
    },
    switchHomeSchedule: async (target, call) => {
      check();
      return api.switchHomeSchedule(target, call);
    },
    setPersonsAway: async (target, call) => {
      check();
      return api.setPersonsAway(target, call);
    },
    setPersonsHome: async (target, call) => {
      check();
      return api.setPersonsHome(target, call);
    },
  };
}
