/**
 * Runtime validation of Netatmo bodies, one function per endpoint. Each returns a fresh,
 * fully checked and normalised copy, or throws NetatmoError('invalid_response') naming the
 * endpoint and the JSON path of the first problem. Per-module errors inside an HTTP 200
 * (`body.errors[]`) are part of the returned body, never thrown.
 */
import type {
  EventsBody,
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  MeasureBody,
  SetStateBody,
  StationsDataBody,
} from '../api-types.js';
import { NetatmoError } from '../errors.js';
import { DecodeError, type Decoder } from './decode.js';
import { homeCoachsDataDecoder, measureDecoder, stationsDataDecoder } from './devices.js';
import { eventsDecoder, homeStatusDecoder, homesDataDecoder, setStateDecoder } from './homes.js';

export { DecodeError } from './decode.js';

function validate<T>(endpoint: string, decode: Decoder<T>, body: unknown): T {
  try {
    return decode(body, 'body');
  } catch (error) {
    const detail = error instanceof DecodeError ? error.message : 'body: could not be checked';
    throw new NetatmoError('invalid_response', `${endpoint}: unexpected answer at ${detail}`, {
      endpoint,
      cause: error,
    });
  }
}

export function validateHomesData(body: unknown): HomesDataBody {
  return validate('homesdata', homesDataDecoder, body);
}

/** `homeId` (the requested home) lets an empty answer become an empty home. */
export function validateHomeStatus(body: unknown, homeId?: string): HomeStatusBody {
  return validate('homestatus', homeStatusDecoder(homeId), body);
}

export function validateSetState(body: unknown): SetStateBody {
  return validate('setstate', setStateDecoder, body);
}

export function validateStationsData(body: unknown): StationsDataBody {
  return validate('getstationsdata', stationsDataDecoder, body);
}

export function validateHomeCoachsData(body: unknown): HomeCoachsDataBody {
  return validate('gethomecoachsdata', homeCoachsDataDecoder, body);
}

export function validateEvents(body: unknown): EventsBody {
  return validate('getevents', eventsDecoder, body);
}

export function validateMeasure(body: unknown): MeasureBody {
  return validate('getmeasure', measureDecoder, body);
}
