/**
 * Shapes of the command layer: why a command was refused or failed, how it ended, and the
 * figures `bridge/health` reports. What a command IS (ValidCommand, NetatmoAction, Encoded) is
 * the device families' contract (src/devices/family.ts).
 */

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

/** How a command ended on the Netatmo side. */
export type DispatchResult =
  | { ok: true }
  | { ok: false; code: FailureCode; error: string; retryAt?: number; netatmoCode?: number };

/** The `commands` part of `bridge/health`. */
export interface CommandStats {
  ok: number;
  failed: number;
  rejected: number;
  coalesced: number;
  last_error?: string;
}
