/**
 * Shapes shared by the command layer: a validated command, what it turns into on the Netatmo
 * side, and how it ended.
 */
import type { Device, DeviceState, StateValue } from '../devices/types.js';
import type { Transaction } from '../mqtt/topics.js';

/** Why a command was refused before anything was sent (part of every error response). */
export type RejectionCode =
  | 'unknown_device'
  | 'unknown_attribute'
  | 'unsupported_attribute'
  | 'read_only'
  | 'invalid_type'
  | 'out_of_range'
  | 'invalid_value'
  | 'malformed_json'
  | 'empty_command'
  | 'command_storm';

/** Why a sent command failed. */
export type FailureCode = 'throttled' | 'module_error' | 'api_error' | 'deadline';

/** A command that passed validation: normalized values for ONE device, ready to encode. */
export interface ValidCommand {
  device: Device;
  /** Capability key → normalized value (`TOGGLE` already resolved, enums in their declared spelling). */
  values: Record<string, StateValue>;
  /** Epoch seconds a room setpoint or a home away/frost-guard mode ends, when asked for. */
  endTime?: number;
  transaction?: Transaction;
}

/** One Netatmo call (or one part of a setstate) that carries a command. */
export type NetatmoAction =
  | { kind: 'setstate_module'; homeId: string; module: { id: string; [field: string]: unknown } }
  | { kind: 'setstate_room'; homeId: string; room: { id: string; [field: string]: unknown } }
  | {
      kind: 'room_therm_point';
      homeId: string;
      roomId: string;
      mode: string;
      temp?: number;
      endtime?: number;
    }
  | { kind: 'therm_mode'; homeId: string; mode: string; endtime?: number }
  | { kind: 'switch_schedule'; homeId: string; scheduleId: string };

/** How a command ended on the Netatmo side. */
export type DispatchResult =
  | { ok: true }
  | { ok: false; code: FailureCode; error: string; retryAt?: number; netatmoCode?: number };

/** The optimistic state a successful command leaves on its device. */
export type ExpectedState = DeviceState;
