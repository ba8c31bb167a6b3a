/** Security devices and persons of the fixtures scenario, and shortcuts to raise and read events. */
import type { RunningSimulator } from '../../src/simulator/index.js';
import { type ApiAnswer, api, control, HOME } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
export type Json = any;

export const CAMERA = '12:34:56:00:f1:62'; // NACamera "Hall", bridges the door tag and the siren
export const INDOOR_ADVANCE = '12:34:56:00:f1:63'; // NPC "Hall"
export const OUTDOOR = '12:34:56:10:b9:0e'; // NOC "Front"
export const DOORBELL = '12:34:56:10:f1:66'; // NDB
export const DOOR_TAG = '12:34:56:00:86:99'; // NACamDoorTag "Window Hall"
export const SIREN = '12:34:56:00:e3:9b'; // NIS
export const JOHN = '91827374-7e04-5298-83ad-a0cb8372dff1';
export const JANE = '91827375-7e04-5298-83ae-a0cb8372dff2';
export const RICHARD = '91827376-7e04-5298-83af-a0cb8372dff3';

/** POST /__sim/events; returns the raised event (fails the test on an error answer). */
export async function raise(s: RunningSimulator, request: Record<string, unknown>): Promise<Json> {
  const answer = await control(s, 'events', request);
  if (answer.status !== 200) throw new Error(`raise failed: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json.event;
}

export async function events(
  s: RunningSimulator,
  token: string,
  params: Record<string, string> = {},
  home = HOME,
): Promise<Json[]> {
  const answer = await api(s, 'getevents', { home_id: home, ...params }, token);
  if (answer.status !== 200)
    throw new Error(`getevents failed: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json.body.home.events;
}

export async function homeStatus(s: RunningSimulator, token: string, home = HOME): Promise<Json> {
  return (await api(s, 'homestatus', { home_id: home }, token)).json.body.home;
}

export async function moduleStatus(
  s: RunningSimulator,
  token: string,
  id: string,
  home = HOME,
): Promise<Json> {
  return (await homeStatus(s, token, home)).modules.find((m: Json) => m.id === id);
}

/** The first module of `type` in the first home (scale scenarios). */
export async function firstOfType(s: RunningSimulator, token: string, type: string): Promise<Json> {
  const home = (await api(s, 'homesdata', {}, token)).json.body.homes[0];
  return { ...home.modules.find((m: Json) => m.type === type), home_id: home.id };
}

/** A JSON API call with a JSON body (openHAB sends setpersons* this way). */
export async function apiJson(
  s: RunningSimulator,
  name: string,
  body: unknown,
  token: string,
): Promise<ApiAnswer> {
  const res = await fetch(`${s.url}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}
