/**
 * GETs of camera URLs (snapshots, the camera's `ping`): bounded in time and size, http(s) only,
 * and never logged with their URL, which is the camera's credential. Errors name only what
 * went wrong.
 */
import { BridgeError } from '../errors.js';

export interface BoundedFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Content types accepted (prefix match, e.g. `image/`); any when absent. */
  accept?: string;
}

export class FetchError extends BridgeError {}

/** The body's bytes; rejects with a FetchError whose message holds no URL. */
export async function boundedFetch(url: string, options: BoundedFetchOptions): Promise<Buffer> {
  if (!/^https?:\/\//i.test(url)) throw new FetchError('not an http(s) URL');
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs), redirect: 'follow' });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed';
    throw new FetchError(reason);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new FetchError(`HTTP ${response.status}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (options.accept !== undefined && !type.startsWith(options.accept)) {
    await response.body?.cancel().catch(() => {});
    throw new FetchError(`unexpected content type ${type.slice(0, 40) || '(none)'}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new FetchError(`too large (${declared} bytes)`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const { done, value } = (await reader?.read()) ?? { done: true, value: undefined };
      if (done || !value) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        await reader?.cancel().catch(() => {});
        throw new FetchError(`too large (over ${options.maxBytes} bytes)`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError('connection failed while reading');
  }
  return Buffer.concat(chunks);
}
