/**
 * The standalone web UI's login secret. Three cases:
 * - `web.password` is configured: it is the password (nothing is stored).
 * - `data_dir/web-auth.json` holds a password chosen earlier: its scrypt hash is checked.
 * - neither: the UI is not set up yet. A one-time setup code is made at start, printed in the
 *   log (only there: whoever can read the log or the console owns the machine anyway), and
 *   kept only as a hash; whoever enters it chooses the password, which is stored as a scrypt
 *   hash (0600, atomic, never through a link). A new code is made at each start until then.
 *
 * scrypt from node:crypto (memory-hard, no dependency), N=2^15 r=8 p=1: about 30 ms and 32 MiB
 * per check, which with the login rate limit makes guessing pointless.
 */
import { createHash, randomBytes, randomInt, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { readRegularFile } from '../../util/private-file.js';

export const CREDENTIALS_FILE = 'web-auth.json';
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;
const SCRYPT_MAXMEM = 64 * 1024 * 1024;
/** No I, O, 0, 1: read from a log and typed, it must not be ambiguous. 32 symbols, 5 bits each. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;

interface StoredHash {
  version: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
  set_at: string;
}

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: SCRYPT_MAXMEM };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, SCRYPT.keylen, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `XXXX-XXXX-XXXX` from the unambiguous alphabet (60 bits). */
function newSetupCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code.match(/.{4}/g)!.join('-');
}

/** What a person may type for the code: any case, with or without dashes and spaces. */
function normalizeCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function parseStored(text: string): StoredHash | undefined {
  try {
    const value = JSON.parse(text) as Partial<StoredHash>;
    if (
      value.kdf === 'scrypt' &&
      typeof value.salt === 'string' &&
      typeof value.hash === 'string' &&
      Number.isInteger(value.N) &&
      Number.isInteger(value.r) &&
      Number.isInteger(value.p)
    )
      return value as StoredHash;
  } catch {
    // Not JSON: reported by the caller.
  }
  return undefined;
}

export type CredentialsMode = 'configured' | 'stored' | 'setup';

export type SetupResult =
  | { ok: true }
  | { ok: false; reason: 'bad_code' | 'mismatch' | 'too_short' | 'done' };

export class WebCredentials {
  readonly #path: string;
  #mode: CredentialsMode;
  #configured: { salt: Buffer; hash: Buffer } | undefined;
  #stored: StoredHash | undefined;
  #setupCodeDigest: Buffer | undefined;
  /** The code in clear, only until it has been printed. */
  #setupCode: string | undefined;

  private constructor(path: string, mode: CredentialsMode) {
    this.#path = path;
    this.#mode = mode;
  }

  /** Reads data_dir/web-auth.json (unless a password is configured); throws when it is unusable. */
  static async load(dataDir: string, configuredPassword?: string): Promise<WebCredentials> {
    const path = join(dataDir, CREDENTIALS_FILE);
    if (configuredPassword !== undefined) {
      const credentials = new WebCredentials(path, 'configured');
      const salt = randomBytes(16);
      credentials.#configured = { salt, hash: await derive(configuredPassword, salt, SCRYPT) };
      return credentials;
    }
    const text = await readRegularFile(path);
    if (text !== undefined) {
      const stored = parseStored(text);
      if (!stored)
        throw new Error(
          `${path} is not a password file the bridge wrote; delete it to get a new setup code, or set web.password`,
        );
      const credentials = new WebCredentials(path, 'stored');
      credentials.#stored = stored;
      return credentials;
    }
    const credentials = new WebCredentials(path, 'setup');
    credentials.#setupCode = newSetupCode();
    credentials.#setupCodeDigest = digest(normalizeCode(credentials.#setupCode));
    return credentials;
  }

  get mode(): CredentialsMode {
    return this.#mode;
  }

  get path(): string {
    return this.#path;
  }

  /** The setup code, once (for the start-up log line); undefined afterwards or when set up. */
  takeSetupCode(): string | undefined {
    const code = this.#setupCode;
    this.#setupCode = undefined;
    return code;
  }

  /** Constant-time check of a login password. */
  async check(password: string): Promise<boolean> {
    if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
    if (this.#configured) {
      const given = await derive(password, this.#configured.salt, SCRYPT);
      return timingSafeEqual(given, this.#configured.hash);
    }
    const stored = this.#stored;
    if (!stored) return false;
    const expected = Buffer.from(stored.hash, 'base64');
    const given = await derive(password, Buffer.from(stored.salt, 'base64'), stored);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** First start: the setup code proves access to the log; the new password is stored hashed. */
  async completeSetup(code: string, password: string, confirmation: string): Promise<SetupResult> {
    if (this.#mode !== 'setup' || !this.#setupCodeDigest) return { ok: false, reason: 'done' };
    if (!timingSafeEqual(digest(normalizeCode(code)), this.#setupCodeDigest))
      return { ok: false, reason: 'bad_code' };
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
      return { ok: false, reason: 'too_short' };
    if (password !== confirmation) return { ok: false, reason: 'mismatch' };
    const salt = randomBytes(16);
    const hash = await derive(password, salt, SCRYPT);
    const stored: StoredHash = {
      version: 1,
      kdf: 'scrypt',
      N: SCRYPT.N,
      r: SCRYPT.r,
      p: SCRYPT.p,
      salt: salt.toString('base64'),
      hash: hash.toString('base64'),
      set_at: new Date().toISOString(),
    };
    await writeFileAtomic(this.#path, `${JSON.stringify(stored, null, 2)}\n`);
    this.#stored = stored;
    this.#mode = 'stored';
    this.#setupCodeDigest = undefined;
    return { ok: true };
  }
}
