/**
 * What each cluster process did, as it saw it: one JSON line per Netatmo request (whose user,
 * which endpoint, when on the shared clock, the answer's status), per sample of the accounts it
 * owns, and per forced refresh the bench asked for. Written synchronously, line by line, so that
 * a process killed with SIGKILL leaves every request it sent on record.
 *
 * The user of a request is read from its token: the simulator's tokens are `<user id>|<secret>`
 * (as Netatmo's are), and the id alone is no secret. The bench maps ids to accounts from the
 * pairs it minted.
 */
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../src/util/clock.js';

export interface ApiLine {
  t: 'api';
  /** When the request was sent. */
  at: number;
  /** The simulator user id the token belongs to ('' when the request had none). */
  user: string;
  /** `homestatus`, `homesdata`, … */
  endpoint: string;
  /** HTTP status, or 0 when no answer came. */
  status: number;
}

export interface OwnedLine {
  t: 'owned';
  at: number;
  accounts: string[];
}

export interface ForcedLine {
  t: 'forced';
  at: number;
  account: string;
  /** `refreshed` (this call rotated the pair), `adopted` (another had), or the error's kind. */
  outcome: string;
}

export type ProcessLine = ApiLine | OwnedLine | ForcedLine;

export class ProcessLogWriter {
  constructor(
    private readonly file: string,
    private readonly clock: Clock,
  ) {}

  /** `at`: when it happened, if not now. */
  write(
    line: Omit<ApiLine, 'at'> | Omit<OwnedLine, 'at'> | Omit<ForcedLine, 'at'>,
    at = this.clock.now(),
  ): void {
    appendFileSync(this.file, `${JSON.stringify({ ...line, at })}\n`);
  }

  /** Records every Netatmo request this process makes through `fetch` (the bridge's HTTP client). */
  recordFetch(): void {
    const original = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      // Token requests go through simple-oauth2's own client; the simulator counts them per user.
      if (!url.pathname.startsWith('/api/')) return original(input, init);
      const endpoint = url.pathname.slice('/api/'.length);
      const bearer = new Headers(init?.headers).get('authorization') ?? '';
      const user = /^Bearer\s+([^|\s]+)\|/i.exec(bearer)?.[1] ?? '';
      // Stamped when sent: whether the process held the account's lease is judged then.
      const sent = this.clock.now();
      try {
        const response = await original(input, init);
        this.write({ t: 'api', user, endpoint, status: response.status }, sent);
        return response;
      } catch (error) {
        this.write({ t: 'api', user, endpoint, status: 0 }, sent);
        throw error;
      }
    };
  }
}

/** Every line a process wrote (a torn last line, from a kill mid-write, is skipped). */
export async function readProcessLog(file: string): Promise<ProcessLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const lines: ProcessLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      lines.push(JSON.parse(line) as ProcessLine);
    } catch {
      // the write a SIGKILL interrupted
    }
  }
  return lines;
}
