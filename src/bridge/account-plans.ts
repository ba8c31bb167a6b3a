/**
 * The configuration each account's Bridge runs on, derived from the process's. One account
 * (no `accounts`, or a single entry) keeps everything as it always was: topics, data_dir, client
 * id. Several: `<base>/<name>/…` topics, `<data_dir>/accounts/<name>/` data, a client id derived
 * from the account's base topic (the same in every process, so that a fail-over resumes the
 * persistent session), and the entry's bootstrap token and profile.
 */
import { join } from 'node:path';
import type { AccountConfig, BridgeConfig } from '../config/types.js';

/** The lease name of the one account of a bridge without `accounts`. */
export const DEFAULT_ACCOUNT_NAME = 'default';

export interface AccountPlan {
  name: string;
  /** One of several accounts of the process. */
  several: boolean;
  config: BridgeConfig;
}

function withEntry(config: BridgeConfig, entry: AccountConfig | undefined): BridgeConfig {
  if (!entry) return config;
  const { refresh_token: token, profile } = entry;
  return {
    ...config,
    netatmo: {
      ...config.netatmo,
      ...(token === undefined ? {} : { refresh_token: token }),
      ...(profile === undefined ? {} : { profile }),
    },
  };
}

export function accountPlans(config: BridgeConfig): AccountPlan[] {
  const accounts = config.accounts ?? [];
  if (accounts.length <= 1) {
    return [
      {
        name: accounts[0]?.name ?? DEFAULT_ACCOUNT_NAME,
        several: false,
        config: withEntry(config, accounts[0]),
      },
    ];
  }
  return accounts.map((entry) => {
    // One account's bootstrap token is not another's: without its own, the account waits for one.
    const { refresh_token: _shared, ...netatmo } = config.netatmo;
    const own = withEntry({ ...config, netatmo }, entry);
    const clientId = config.mqtt.client_id;
    return {
      name: entry.name,
      several: true,
      config: {
        ...own,
        mqtt: {
          ...own.mqtt,
          base_topic: `${config.mqtt.base_topic}/${entry.name}`,
          ...(clientId === undefined ? {} : { client_id: `${clientId}_${entry.name}` }),
        },
        data_dir: join(config.data_dir, 'accounts', entry.name),
      },
    };
  });
}
