/**
 * /metrics with prom-client loaded on the first scrape rather than at start-up: most bridges
 * are never scraped, and prom-client costs about 10 MB of resident memory once imported.
 */
import type { BridgeMetrics } from './metrics.js';
import type { WebBridgePort } from './types.js';

export interface MetricsScrape {
  contentType: string;
  body: string;
}

export interface MetricsEndpoint {
  scrape(): Promise<MetricsScrape>;
}

export function lazyBridgeMetrics(bridge: WebBridgePort): MetricsEndpoint {
  let metrics: Promise<BridgeMetrics> | undefined;
  return {
    async scrape() {
      metrics ??= import('./metrics.js').then(
        ({ createBridgeMetrics }) => createBridgeMetrics(bridge),
        (error: unknown) => {
          metrics = undefined;
          throw error;
        },
      );
      const loaded = await metrics;
      return { contentType: loaded.contentType, body: await loaded.render() };
    },
  };
}
