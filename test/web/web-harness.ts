/**
 * A bridge with its web UI on a free port, against the simulator over real HTTP and a real
 * MQTT broker. `withToken: false` starts it with no Netatmo token at all (onboarding).
 * Standalone, the UI's login password is WEB_PASSWORD unless `web` says otherwise.
 * `Browserish` keeps the session cookie like a browser, for the HTTP tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bridge, type BridgeOptions } from '../../src/bridge/controller.js';
import { validateConfig } from '../../src/config/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';

export const CLIENT_ID = 'web-test-client';
export const CLIENT_SECRET = `secret-${randomBytes(12).toString('hex')}`;
export const WEB_PASSWORD = `web-pw-${randomBytes(6).toString('hex')}`;

export interface WebHarnessOptions {
  brokerUrl: string;
  withToken: boolean;
  /** A bootstrap refresh token of the test's choosing (e.g. one Netatmo will refuse). */
  bootstrapToken?: string;
  webAllowedPeers?: readonly string[];
  /** `web` settings over the harness's (`password: null`: none configured, the setup code applies). */
  web?: Record<string, unknown>;
  webLimits?: BridgeOptions['webLimits'];
}

export interface WebHarness {
  sim: RunningSimulator;
  bridge: Bridge;
  /** The web UI's base URL, ending in `/`. */
  web: string;
  dataDir: string;
  baseTopic: string;
  /** Every secret value the bridge has seen: client secret, bootstrap and stored tokens. */
  secrets(): Promise<string[]>;
  until(predicate: () => boolean | Promise<boolean>, ms?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWebHarness(options: WebHarnessOptions): Promise<WebHarness> {
  const sim = await startSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-web-'));
  const baseTopic = `n2m_web_${randomBytes(4).toString('hex')}`;
  const bootstrap =
    options.bootstrapToken ?? (options.withToken ? sim.mintTokens().refresh_token : undefined);
  const config = validateConfig({
    netatmo: {
      base_url: sim.url,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      ...(bootstrap ? { refresh_token: bootstrap } : {}),
    },
    mqtt: { url: options.brokerUrl, base_topic: baseTopic, client_id: `bridge_${baseTopic}` },
    homeassistant: { enabled: false },
    data_dir: dataDir,
    log_level: 'warning',
    web: { enabled: true, port: 0, host: '127.0.0.1', password: WEB_PASSWORD, ...options.web },
  });
  const bridge = new Bridge({
    config,
    discoveryScanMs: 200,
    ...(options.webAllowedPeers ? { webAllowedPeers: options.webAllowedPeers } : {}),
    ...(options.webLimits ? { webLimits: options.webLimits } : {}),
  });
  await bridge.start();
  const web = `${bridge.webUrl}/`;
  const until = async (predicate: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition') => {
    const deadline = Date.now() + ms;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    sim,
    bridge,
    web,
    dataDir,
    baseTopic,
    async secrets() {
      const found = [CLIENT_SECRET, ...(bootstrap ? [bootstrap] : [])];
      const stored = await new FileTokenStore(dataDir).load();
      if (stored) found.push(stored.access_token, stored.refresh_token);
      return found;
    },
    until,
    async close() {
      await bridge.stop().catch(() => {});
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Requests like a browser's, with a cookie jar of one cookie and no automatic redirects. Sent
 * with node:http rather than fetch, so that a test can also send what a browser would send for
 * another site: a `host` header (DNS rebinding), `origin`, `sec-fetch-site`.
 */
export class Browserish {
  cookie: string | undefined;

  constructor(readonly base: string) {}

  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookie) headers.cookie = this.cookie;
    const res = await rawRequest(new URL(path, this.base), { ...init, headers });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Logs in through the login page (standalone), keeping the session cookie it issues. */
  async login(password = WEB_PASSWORD): Promise<Response> {
    const page = await (await this.get('login')).text();
    const res = await this.post('login', { csrf: Browserish.csrfOf(page), password });
    if (res.status !== 303) throw new Error(`login answered ${res.status}: ${await res.text()}`);
    return res;
  }

  /** The CSRF token of a page's forms. */
  static csrfOf(page: string): string {
    const match = /name="csrf" value="([0-9a-f]+)"/.exec(page);
    if (!match?.[1]) throw new Error('no CSRF token on the page');
    return match[1];
  }
}

/** One HTTP request over node:http, answered as a fetch Response (headers as sent, no redirects followed). */
export function rawRequest(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
            headers.append(name, v);
        }
        const status = res.statusCode ?? 500;
        const body = [204, 304].includes(status) ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, headers }));
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
