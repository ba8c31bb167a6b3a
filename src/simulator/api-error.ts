import { BridgeError } from '../errors.js';

/** An error the simulator answers in Netatmo's shape: `{"error":{"code":N,"message":"..."}}`. */
export class SimApiError extends BridgeError {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  body(): { error: { code: number; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const missing = (what: string): SimApiError => new SimApiError(400, 10, `Missing ${what}`);
export const invalid = (message: string): SimApiError => new SimApiError(400, 21, message);
export const notFound = (message: string): SimApiError => new SimApiError(404, 9, message);
