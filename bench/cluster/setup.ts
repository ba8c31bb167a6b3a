/**
 * What every cluster run starts from: one simulated Netatmo app with a user per account, a
 * bootstrap refresh token per account, and the one configuration every process reads (as in
 * docs/cluster: the same accounts, the same Redis, only the process name and data folder
 * differ, through the environment).
 */
import type { RunningSimulator } from '../../src/simulator/index.js';

export interface ClusterAccounts {
  /** `accounts:` of the configuration: name and bootstrap token. */
  entries: Array<{ name: string; refresh_token: string }>;
  /** Token user id (the part before `|`) → account: reads process-log records. */
  byTokenUser: Map<string, string>;
  /** Simulator user (`user1`…) → account: reads /__sim/stats and /__sim/users. */
  bySimUser: Map<string, string>;
}

/** `a01`, `a02`, …: account n gets simulator user n (and so its homes). */
export function mintAccounts(sim: RunningSimulator, count: number): ClusterAccounts {
  const entries: ClusterAccounts['entries'] = [];
  const byTokenUser = new Map<string, string>();
  const bySimUser = new Map<string, string>();
  for (let i = 1; i <= count; i++) {
    const name = `a${String(i).padStart(2, '0')}`;
    const pair = sim.mintTokens(`user${i}`);
    entries.push({ name, refresh_token: pair.refresh_token });
    byTokenUser.set(pair.access_token.split('|')[0] ?? '', name);
    bySimUser.set(`user${i}`, name);
  }
  return { entries, byTokenUser, bySimUser };
}

export interface ClusterConfigInput {
  simUrl: string;
  mqttUrl: string;
  redisUrl: string;
  /** Unique per run: base topic, discovery prefix (`ha_<tag>`), Redis key prefix. */
  tag: string;
  accounts: ClusterAccounts['entries'];
  leaseTtlS: number;
}

export function clusterConfig(input: ClusterConfigInput): Record<string, unknown> {
  return {
    netatmo: { base_url: input.simUrl, profile: 'own_app' },
    // Topics by id: the freshness recorders key what they see by device id, as the simulator's changes are.
    mqtt: { url: input.mqttUrl, base_topic: input.tag, device_topic: 'id' },
    homeassistant: { enabled: true, discovery_prefix: `ha_${input.tag}` },
    log_level: 'warning',
    web: { enabled: false },
    accounts: input.accounts,
    coordination: { redis_url: input.redisUrl, key_prefix: input.tag, lease_ttl_s: input.leaseTtlS },
  };
}
