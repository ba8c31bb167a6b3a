/**
 * The cluster bench's judgement of who polled what (bench/cluster/ownership.ts) and of whether
 * two outputs are the same (bench/cluster/retained.ts): a proof is only as good as these.
 */
import { describe, expect, it } from 'vitest';
import { firstTakeover, ownershipReport } from '../../bench/cluster/ownership.js';
import type { ProcessLine } from '../../bench/cluster/process-log.js';
import { comparableOutput } from '../../bench/cluster/retained.js';

const accounts = new Map([
  ['u1', 'a01'],
  ['u2', 'a02'],
]);
const api = (at: number, user: string): ProcessLine => ({
  t: 'api',
  at,
  user,
  endpoint: 'homestatus',
  status: 200,
});
const owned = (at: number, ...list: string[]): ProcessLine => ({ t: 'owned', at, accounts: list });

describe('ownershipReport', () => {
  it('counts calls per account, and a handover back and forth is not polling twice', () => {
    const report = ownershipReport(
      new Map([
        // p1 holds a01, lets it go, and takes it back after p2 held it: three clean handovers.
        [
          'p1',
          [
            owned(0, 'a01'),
            api(1, 'u1'),
            owned(2, 'a01'),
            owned(3),
            owned(7, 'a01'),
            api(8, 'u1'),
            api(9, 'x'),
          ],
        ],
        ['p2', [owned(0, 'a02'), api(1, 'u2'), owned(4, 'a01', 'a02'), api(5, 'u1'), owned(6, 'a02')]],
      ]),
      accounts,
    );
    expect(Object.fromEntries(report.calls)).toEqual({ a01: 3, a02: 1 });
    expect(report.unattributed).toBe(1);
    expect(report.claims.get('a01')).toEqual([
      { process: 'p1', start: 0, end: 2 },
      { process: 'p1', start: 7, end: 7 },
      { process: 'p2', start: 4, end: 4 },
    ]);
    expect(report.overlappingClaims).toEqual([]);
    expect(report.pollsOfOthers).toEqual([]);
  });

  it('calls it polling twice when two processes claim an account at once', () => {
    const report = ownershipReport(
      new Map([
        ['p1', [owned(1, 'a01'), owned(5, 'a01')]],
        ['p2', [owned(3, 'a01'), owned(7, 'a01')]],
      ]),
      accounts,
    );
    expect(report.overlappingClaims).toEqual([{ account: 'a01', what: 'p1 claims while p2 claims', at: 3 }]);
  });

  it('calls it polling twice when a process sends a request while another one claims the account', () => {
    const report = ownershipReport(
      new Map([
        ['p1', [owned(1, 'a01'), api(2, 'u1'), api(6, 'u1')]],
        ['p2', [owned(4, 'a01'), owned(8, 'a01')]],
      ]),
      accounts,
    );
    expect(report.pollsOfOthers).toEqual([{ account: 'a01', what: 'p1 polls while p2 claims', at: 6 }]);
  });

  it('counts only the window asked for', () => {
    const report = ownershipReport(new Map([['p1', [api(1, 'u1'), api(5, 'u1')]]]), accounts, {
      from: 2,
      to: 6,
    });
    expect(report.calls.get('a01')).toBe(1);
  });
});

describe('firstTakeover', () => {
  it('finds the earliest claim and poll of a killed process’s accounts across the survivors, in any listing order', () => {
    const first = firstTakeover(
      new Map([
        ['victim', [owned(0, 'a01', 'a02'), api(11, 'u1')]],
        // p2 is listed first but takes a02 only after p3 lost it again (a Redis outage, say).
        ['p2', [owned(5, 'a01'), api(6, 'u1'), owned(9, 'a01', 'a02'), api(10, 'u2')]],
        ['p3', [owned(1), owned(4, 'a02'), api(4.5, 'u2'), owned(8)]],
      ]),
      accounts,
      'victim',
      ['a01', 'a02'],
      2,
    );
    expect(first.get('a01')).toEqual({ claimedAt: 5, polledAt: 6 });
    expect(first.get('a02')).toEqual({ claimedAt: 4, polledAt: 4.5 });
  });

  it('leaves an account nobody took without times, and ignores what happened before the kill', () => {
    const first = firstTakeover(
      new Map([['p2', [owned(1, 'a01'), api(1, 'u1'), owned(3)]]]),
      accounts,
      'victim',
      ['a01'],
      2,
    );
    expect(first.get('a01')).toEqual({});
  });
});

describe('comparableOutput', () => {
  it('replaces the run values, drops volatile fields and skipped topics, keeps every value that says what', () => {
    const retained = new Map([
      ['run1/a01/room_1', JSON.stringify({ current_temperature: 20.5, last_seen: 1, updated_at: 'x' })],
      ['run1/a01/bridge/health', JSON.stringify({ uptime: 4 })],
      [
        'run1/a01/bridge/info',
        JSON.stringify({
          config: { data_dir: '/tmp/r/n2m-proc-2/accounts/a01', process_name: 'n2m-proc-2' },
        }),
      ],
    ]);
    const out = comparableOutput(
      retained,
      { '/tmp/r': '<dir>', run1: '<base>', 'n2m-proc-2': '<process>' },
      (t) => t.endsWith('/bridge/health'),
    );
    expect(out).toEqual({
      '<base>/a01/bridge/info': {
        config: { data_dir: '<dir>/<process>/accounts/a01', process_name: '<process>' },
      },
      '<base>/a01/room_1': { current_temperature: 20.5 },
    });
  });
});
