/** Talks to a simulator over real HTTP, the way a client would. */
import { afterEach } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  json: any;
}

const running: RunningSimulator[] = [];

/** Starts a simulator on a free port; it is closed after the test. */
export async function sim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const s = await startSimulator({ port: 0, ...options });
  running.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export async function api(
  s: RunningSimulator,
  name: string,
  params: Record<string, string> = {},
  token?: string,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${s.url}/api/${name}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

export async function setstate(s: RunningSimulator, body: unknown, token: string): Promise<ApiAnswer> {
  const res = await fetch(`${s.url}/api/setstate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

export async function token(
  s: RunningSimulator,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const res = await fetch(`${s.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

export async function control(s: RunningSimulator, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${s.url}/__sim/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

export const HOME = '91763b24c43d3e344f424e8b';
