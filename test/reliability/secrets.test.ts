/**
 * Secrets never leave the bridge: a full run of the bridge process at debug level with the web
 * UI on, against a Mosquitto that requires a password and a simulator that requires the client
 * secret, on a clock 30x fast with a 320 s token lifetime (a rotation every ~0.7 s of wall
 * time). Everything a user or an attacker could read is collected: every log line, every MQTT
 * payload under the base topic and the discovery prefix, bridge/info, bridge/health and error
 * responses, every web page (status, onboarding, error pages, 404) and /metrics. Then every
 * secret value is searched for in all of it: each access and refresh token issued during the
 * run (token.json is read every 25 ms), the bootstrap token, the client secret, the MQTT
 * password. Afterwards token.json and state.json must be 0600 and the data_dir 0700.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mosquittoAvailable, startPrivateBroker } from '../support/private-broker.js';
import { useBridgeSuite } from './support/harness.js';
import type { BridgeProcess } from './support/processes.js';
import { firstHomeStatus, MqttWatcher, recordFigures, size, sleep } from './support/suite.js';

const SPEED = 30;
const RUN_MS = size(6_000, 60_000);
const MQTT_USER = 'n2m';
const MQTT_PASSWORD = `mqtt-pw-${randomBytes(12).toString('hex')}`;
const CLIENT_ID = `client-${randomBytes(6).toString('hex')}`;
const CLIENT_SECRET = `client-secret-${randomBytes(16).toString('hex')}`;
const WEB_PASSWORD = `web-password-${randomBytes(8).toString('hex')}`;

interface Collected {
  what: string;
  text: string;
}

describe.runIf(mosquittoAvailable())('secrets in a full run', () => {
  const suite = useBridgeSuite({
    name: 'secrets',
    speed: SPEED,
    sim: { tokenLifetimeSec: 320, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    broker: () => startPrivateBroker('mosquitto', { users: { [MQTT_USER]: MQTT_PASSWORD } }),
  });
  const baseTopic = suite.baseTopic();
  const prefix = `ha_${baseTopic}`;

  it(
    'no secret value reaches a log line, an MQTT payload, a web page or /metrics; files are private',
    async () => {
      // A data_dir that does not exist yet: the bridge creates it (0700).
      const dataDir = join(suite.dir, 'data');
      const bootstrap = suite.sim.mintTokens();
      const secrets = new Set<string>([
        bootstrap.access_token,
        bootstrap.refresh_token,
        CLIENT_SECRET,
        MQTT_PASSWORD,
        WEB_PASSWORD,
      ]);
      const bridge: BridgeProcess = suite.startChild(
        suite.env({
          refreshToken: bootstrap.refresh_token,
          baseTopic,
          dataDir,
          logLevel: 'debug',
          extra: {
            NETATMO2MQTT_NETATMO_CLIENT_ID: CLIENT_ID,
            NETATMO2MQTT_NETATMO_CLIENT_SECRET: CLIENT_SECRET,
            NETATMO2MQTT_MQTT_USERNAME: MQTT_USER,
            NETATMO2MQTT_MQTT_PASSWORD: MQTT_PASSWORD,
            NETATMO2MQTT_WEB_ENABLED: 'true',
            NETATMO2MQTT_WEB_PORT: '0',
            NETATMO2MQTT_WEB_HOST: '127.0.0.1',
            NETATMO2MQTT_WEB_PASSWORD: WEB_PASSWORD,
          },
        }),
      );
      // Every pair the bridge holds passes through token.json.
      let watching = true;
      const tokenWatch = (async () => {
        while (watching) {
          try {
            const stored = JSON.parse(await readFile(join(dataDir, 'token.json'), 'utf8')) as Record<
              string,
              unknown
            >;
            for (const key of ['access_token', 'refresh_token']) {
              if (typeof stored[key] === 'string') secrets.add(stored[key]);
            }
          } catch {
            // not written yet, or mid-rename
          }
          await sleep(25);
        }
      })();

      const watcher = await MqttWatcher.start(suite.broker.url, [`${baseTopic}/#`, `${prefix}/#`], {
        username: MQTT_USER,
        password: MQTT_PASSWORD,
      });
      const collected: Collected[] = [];
      const respond = (what: string, text: string): void => {
        collected.push({ what, text });
      };
      try {
        await bridge.waitFor(/web UI on (http:\/\/\S+)/, 20_000);
        const webUrl = /web UI on (http:\/\/\S+)/.exec(bridge.output())?.[1] ?? '';
        await firstHomeStatus(suite.sim);

        // Error paths that carry context: a throttle (forced refresh), a 5xx, a token outage.
        suite.sim.setFaults({
          rules: [
            { kind: 'throttle', count: 1 },
            { kind: 'status', status: 500, count: 2 },
          ],
        });
        await sleep(RUN_MS / 3); // the run itself: rotations and error paths happen meanwhile
        suite.sim.setFaults({ clear: true, rules: [{ kind: 'token_down', count: 3 }] });

        // Commands and bridge requests: ok and error responses.
        const devices = (watcher.json(`${baseTopic}/bridge/devices`) ?? []) as Array<{ id?: string }>;
        const light = devices.map((d) => d.id).find((id) => id?.startsWith('12_34_56_80_'));
        for (const [topic, payload] of [
          [`${baseTopic}/bridge/request/info`, '{"transaction":"t1"}'],
          [`${baseTopic}/bridge/request/health`, '{}'],
          [`${baseTopic}/bridge/request/nonsense`, '{"x":1}'],
          [`${baseTopic}/bridge/request/log_level`, '{"value":"loud"}'],
          [`${baseTopic}/no_such_device/set`, '{"state":"ON"}'],
          [`${baseTopic}/${light}/set`, '{"state":"ON","transaction":"t2"}'],
          [`${baseTopic}/${light}/set`, `{"brightness":"${MQTT_PASSWORD.slice(0, 4)}"}`],
        ] as const) {
          await watcher.client.publishAsync(topic, payload, { qos: 1 });
        }

        // Every web page, including error pages.
        const get = async (path: string, init?: RequestInit): Promise<Response> => {
          const res = await fetch(`${webUrl}${path}`, { redirect: 'manual', ...init });
          respond(
            `web ${init?.method ?? 'GET'} ${path} (${res.status})`,
            `${JSON.stringify([...res.headers])}\n${await res.text()}`,
          );
          return res;
        };
        // Logged in, as the owner would be (the login page and its answers are collected too).
        const loginPage = await get('/login');
        const preLogin = loginPage.headers.get('set-cookie')?.split(';')[0] ?? '';
        const loginCsrf = /name="csrf" value="([^"]+)"/.exec(collected.at(-1)?.text ?? '')?.[1] ?? '';
        await get('/login', {
          method: 'POST',
          headers: { cookie: preLogin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf: loginCsrf, password: 'wrong-password-123' }).toString(),
        });
        const loggedIn = await get('/login', {
          method: 'POST',
          headers: { cookie: preLogin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf: loginCsrf, password: WEB_PASSWORD }).toString(),
        });
        expect(loggedIn.status).toBe(303);
        const cookie = loggedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
        await get('/', { headers: { cookie } });
        const onboarding = await get('/onboarding', { headers: { cookie } });
        const csrf = /name="csrf" value="([^"]+)"/.exec(collected.at(-1)?.text ?? '')?.[1] ?? '';
        expect(onboarding.status).toBe(200);
        expect(csrf).not.toBe('');
        const form = (fields: Record<string, string>): RequestInit => ({
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
        await get('/token', form({ refresh_token: 'not-a-token' })); // no CSRF token
        await get('/token', form({ csrf, refresh_token: 'not-a-valid-refresh-token' }));
        await get(
          '/redirect',
          form({ csrf, redirect_url: 'https://example.invalid/callback?code=abc&state=nope' }),
        );
        await get('/callback?code=abc&state=forged', { headers: { cookie } });
        await get('/connect', form({ csrf }));
        await get('/no-such-page', { headers: { cookie } });
        await get('/metrics', { headers: { cookie } });
        await get('/metrics');
        await get('/healthz');

        await sleep((RUN_MS * 2) / 3); // the rest of the run, with the token endpoint down
        suite.sim.setFaults({ clear: true });
        await get('/', { headers: { cookie } });
        await get('/metrics', { headers: { cookie } });
      } finally {
        bridge.kill('SIGTERM');
        await bridge.exited;
        watching = false;
        await tokenWatch;
        await watcher.close();
      }

      for (const m of watcher.messages)
        collected.push({ what: `mqtt ${m.topic}`, text: `${m.topic}\n${m.payload}` });
      collected.push({ what: 'bridge log (stdout and stderr)', text: bridge.output() });
      const refreshes = suite.sim.stats().token_refreshes;

      // The collection holds what it should: otherwise "nothing leaked" proves nothing.
      const all = collected.map((c) => c.text).join('\n');
      expect(all).toContain(`${baseTopic}/bridge/info`);
      expect(all).toContain(`${baseTopic}/bridge/response/device/set`);
      expect(all).toContain(`${baseTopic}/bridge/response/health`);
      expect(all).toMatch(/netatmo2mqtt_api_calls|# HELP/);
      expect(all).toMatch(/\bdebug\b/);
      expect(refreshes).toBeGreaterThan(2);

      const leaks: string[] = [];
      for (const secret of secrets) {
        const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
        // Netatmo tokens are `<id>|<secret>`: the part after `|` is the secret part.
        const tail = secret.split('|')[1];
        if (tail && tail.length >= 16) forms.add(tail);
        for (const { what, text } of collected) {
          for (const form of forms) if (text.includes(form)) leaks.push(`${secret.slice(0, 6)}… in ${what}`);
        }
      }

      // File modes after the run.
      const mode = async (path: string): Promise<string> => ((await stat(path)).mode & 0o777).toString(8);
      const modes = {
        data_dir: await mode(dataDir),
        'token.json': await mode(join(dataDir, 'token.json')),
        'state.json': await mode(join(dataDir, 'state.json')),
      };
      const notPrivate =
        Number(modes.data_dir !== '700') +
        Number(modes['token.json'] !== '600') +
        Number(modes['state.json'] !== '600');
      recordFigures('secrets', {
        secrets_leaked: leaks.length,
        secrets_checked: secrets.size,
        files_not_private: notPrivate,
        notes: [
          `${secrets.size} secret values (${refreshes} token refreshes during the run) searched in ${collected.length} collected texts (${(all.length / 1024).toFixed(0)} KiB): ${leaks.length} leaks`,
          `file modes after the run: ${Object.entries(modes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
          ...leaks.slice(0, 10),
        ],
      });
      expect(leaks).toEqual([]);
      expect(modes).toEqual({ data_dir: '700', 'token.json': '600', 'state.json': '600' });
    },
    size(60_000, 180_000),
  );
});
