/** Reads an HTTP request body with a size limit (both of our servers take small forms only). */
import type { IncomingMessage } from 'node:http';
import { BridgeError } from '../errors.js';

export class BodyTooLargeError extends BridgeError {}

export async function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
