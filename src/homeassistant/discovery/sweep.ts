/**
 * The start-up sweep of stale discovery configs, as zigbee2mqtt does it: after listening to
 * `<prefix>/device/<base>/+/config` for a few seconds, every retained config under this
 * bridge's own prefix that the current device set no longer produces gets an empty retained
 * payload, so devices removed from the Netatmo account disappear from Home Assistant.
 */

/**
 * Topics to clear: retained non-empty configs under `ownPrefix` (from
 * `ownDiscoveryTopicPrefix(ctx)`) that are not in `current`. Topics of other bridges,
 * other base topics and non-config topics are never touched. Pure; sorted for stable output.
 */
export function discoveryTopicsToClear(
  retainedTopics: Iterable<string>,
  current: ReadonlySet<string>,
  ownPrefix: string,
): string[] {
  const stale = new Set<string>();
  for (const topic of retainedTopics) {
    if (!topic.startsWith(ownPrefix) || !topic.endsWith('/config')) continue;
    // Exactly one level (the device id) between our prefix and /config.
    const deviceLevel = topic.slice(ownPrefix.length, -'/config'.length);
    if (deviceLevel.length === 0 || deviceLevel.includes('/')) continue;
    if (!current.has(topic)) stale.add(topic);
  }
  return [...stale].sort();
}
