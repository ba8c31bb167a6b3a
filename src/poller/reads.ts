/** Which Netatmo read each kind of publisher makes, as one tagged result (feeds read themselves). */
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  StationsDataBody,
} from '../netatmo/api-types.js';
import type { CallOptions } from '../netatmo/types.js';
import type { PollerApi, PublisherKind } from './ports.js';

export type PublisherRead =
  | { kind: 'topology'; body: HomesDataBody }
  | { kind: 'home'; homeId: string; body: HomeStatusBody }
  | { kind: 'weather'; body: StationsDataBody }
  | { kind: 'homecoach'; body: HomeCoachsDataBody };

export async function readPublisher(
  api: PollerApi,
  kind: Exclude<PublisherKind, 'feed'>,
  homeId: string | undefined,
  call: Partial<CallOptions>,
): Promise<PublisherRead> {
  switch (kind) {
    case 'topology':
      return { kind, body: await api.homesData({}, call) };
    case 'home': {
      if (homeId === undefined) throw new Error('a home publisher needs a home id');
      return { kind, homeId, body: await api.homeStatus(homeId, {}, call) };
    }
    case 'weather':
      return { kind, body: await api.stationsData({}, call) };
    case 'homecoach':
      return { kind, body: await api.homeCoachsData({}, call) };
  }
}
