/**
 * MQTT over TLS with client certificates, end to end: a throwaway CA made by openssl signs the
 * server's and the bridge's certificates; Mosquitto listens with `require_certificate true`.
 * The real CLI bridge with `mqtt.ca`, `mqtt.cert` and `mqtt.key` connects and publishes; the
 * same bridge without a client certificate is refused and says so, naming the broker, without
 * a retry loop.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mosquittoAvailable, startPrivateBroker } from '../support/private-broker.js';
import { useBridgeSuite } from './support/harness.js';
import { firstHomeStatus, MqttWatcher, recordFigures, waitUntil } from './support/suite.js';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'ignore' });
};

interface Pki {
  dir: string;
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'n2m-rel-tls-'));
  const path = (name: string): string => join(dir, name);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=n2m test CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  );
  const issue = (name: string, subject: string, extensions: string): void => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
    );
    execFileSync(
      'sh',
      [
        '-c',
        `printf '%s\\n' "${extensions}" > ${path(`${name}.ext`)} && openssl x509 -req -in ${path(`${name}.csr`)} -CA ${path('ca.crt')} -CAkey ${path('ca.key')} -CAcreateserial -days 1 -extfile ${path(`${name}.ext`)} -out ${path(`${name}.crt`)}`,
      ],
      { stdio: 'ignore' },
    );
  };
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1');
  issue('client', '/CN=netatmo2mqtt', 'extendedKeyUsage=clientAuth');
  // Mosquitto started as root reads its files as user mosquitto; these keys protect nothing.
  chmodSync(dir, 0o755);
  chmodSync(path('server.key'), 0o644);
  return {
    dir,
    ca: path('ca.crt'),
    server: { cert: path('server.crt'), key: path('server.key') },
    client: { cert: path('client.crt'), key: path('client.key') },
  };
}

describe.runIf(mosquittoAvailable() && opensslAvailable())('MQTT TLS with client certificates', () => {
  let pki: Pki;
  const suite = useBridgeSuite({
    name: 'tls',
    broker: () => {
      pki = makePki();
      return startPrivateBroker('mosquitto', {
        tls: { ...pki.server, ca: pki.ca, requireCertificate: true },
      });
    },
  });
  suite.onClose(() => {
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  /** The CLI bridge with these TLS settings, in a data_dir of its own. */
  function bridgeWith(tls: Record<string, string>, baseTopic: string) {
    const refreshToken = suite.sim.mintTokens().refresh_token;
    return suite.startCli(
      suite.env({ refreshToken, baseTopic, dataDir: join(suite.dir, baseTopic), extra: tls }),
    );
  }

  it('connects with CA, certificate and key, and publishes state and discovery', async () => {
    expect(suite.broker.url).toMatch(/^mqtts:\/\//);
    const baseTopic = suite.baseTopic();
    const watcher = await MqttWatcher.start(suite.broker.url, [`${baseTopic}/#`, `ha_${baseTopic}/#`], {
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.client.cert),
      key: readFileSync(pki.client.key),
    });
    const bridge = bridgeWith(
      {
        NETATMO2MQTT_MQTT_CA: pki.ca,
        NETATMO2MQTT_MQTT_CERT: pki.client.cert,
        NETATMO2MQTT_MQTT_KEY: pki.client.key,
      },
      baseTopic,
    );
    try {
      await waitUntil(
        'online over TLS',
        () => watcher.text(`${baseTopic}/bridge/state`) === '{"state":"online"}',
      );
      await waitUntil(
        'discovery and availability',
        () =>
          watcher.topics(`ha_${baseTopic}/`).length > 10 &&
          watcher.topics().some((t) => t.endsWith('/availability')),
      );
      await firstHomeStatus(suite.sim);
      bridge.kill('SIGTERM');
      expect(await bridge.exited).toBe(0);
      expect(watcher.text(`${baseTopic}/bridge/state`)).toBe('{"state":"offline"}');
      // The key's contents never reach the log.
      const keyBody = readFileSync(pki.client.key, 'utf8').split('\n')[1] ?? 'unreachable';
      expect(bridge.output()).not.toContain(keyBody);
    } finally {
      bridge.kill('SIGKILL');
      await watcher.close();
    }
  });

  it('without a client certificate: refused, with an error naming the broker, and no retry loop', async () => {
    const bridge = bridgeWith({ NETATMO2MQTT_MQTT_CA: pki.ca }, suite.baseTopic());
    const code = await Promise.race([
      bridge.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 20_000)),
    ]);
    const output = bridge.output();
    bridge.kill('SIGKILL');
    expect(output).toMatch(/cannot connect to MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: .*certificate/i);
    expect(code).toBe(1);
    recordFigures('MQTT TLS', {
      faults_injected: 1,
      faults_survived: 1,
      crashes: 0,
      notes: [
        `mqtts:// with require_certificate: connected with CA/cert/key; without a client certificate: ${/cannot connect[^\n]*/.exec(output)?.[0]}`,
      ],
    });
  });
});
