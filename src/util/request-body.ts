/** Reads an HTTP request body with a size limit (both of our servers take small bodies only). */
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {}

/** The raw bytes (a signature is computed over them, not over a decoded string). */
export async function readRequestBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export async function readRequestBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return (await readRequestBytes(req, limitBytes)).toString('utf8');
}
