/** Reads an HTTP request body with a size limit (both of our servers take small bodies only). */
import type { IncomingMessage } from 'node:http';
import { BridgeError } from '../errors.js';

export class BodyTooLargeError extends BridgeError {}

/** The client closed the connection before the body was complete. */
export class RequestAbortedError extends BridgeError {
  readonly code = 'ECONNRESET';
}

/**
 * Resolves with the body once it is complete; rejects with BodyTooLargeError as soon as it
 * passes `limitBytes`. The request is left open (not destroyed) then, so that the caller can
 * still answer 413 before the connection closes.
 */
/** The raw bytes (a signature is computed over them, not over a decoded string). */
export function readRequestBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        // What is still coming is read and dropped, not kept.
        req.resume();
        reject(new BodyTooLargeError('request body too large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new RequestAbortedError('the client closed the connection mid-request'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

export async function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return (await readRequestBytes(req, limitBytes)).toString('utf8');
}
