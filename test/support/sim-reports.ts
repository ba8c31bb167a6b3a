/**
 * What the simulator (Netatmo) reports, read over its HTTP API with a token of the test's own:
 * which topology entries no status endpoint reports (the bridge has no state to publish for
 * them, and Netatmo refuses commands to them).
 */
import type { RunningSimulator } from '../../src/simulator/index.js';

/** POST /api/<endpoint> and the answer's `body`. */
export async function simBody<T>(
  sim: RunningSimulator,
  endpoint: string,
  params: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${sim.url}/api/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.mintTokens().access_token}` },
    body: new URLSearchParams(params),
  });
  return ((await response.json()) as { body: T }).body;
}

type Entry = { id: string };

/** Netatmo ids of homesdata rooms and modules that neither homestatus nor a station endpoint reports. */
export async function unreportedIds(sim: RunningSimulator): Promise<Set<string>> {
  const stationIds = new Set<string>();
  for (const endpoint of ['getstationsdata', 'gethomecoachsdata']) {
    type Station = { _id: string; modules?: Array<{ _id: string }> };
    const { devices } = await simBody<{ devices?: Station[] }>(sim, endpoint);
    for (const d of devices ?? [])
      for (const id of [d._id, ...(d.modules ?? []).map((m) => m._id)]) stationIds.add(id);
  }
  const { homes } = await simBody<{ homes: Array<{ id: string; rooms?: Entry[]; modules?: Entry[] }> }>(
    sim,
    'homesdata',
  );
  const silent = new Set<string>();
  for (const home of homes) {
    const status = await simBody<{ home: { rooms?: Entry[]; modules?: Entry[] } }>(sim, 'homestatus', {
      home_id: home.id,
    });
    const seen = new Set([...(status.home.rooms ?? []), ...(status.home.modules ?? [])].map((e) => e.id));
    for (const e of [...(home.rooms ?? []), ...(home.modules ?? [])])
      if (!seen.has(e.id) && !stationIds.has(e.id)) silent.add(e.id);
  }
  return silent;
}
