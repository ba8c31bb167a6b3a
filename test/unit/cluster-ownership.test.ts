/**
 * The cluster bench's judgement of who polled what (bench/cluster/ownership.ts) and of whether
 * two outputs are the same (bench/cluster/retained.ts): a proof is only as good as these.
 */
import { describe, expect, it } from 'vitest';
import { ownershipReport } from '../../bench/cluster/ownership.js';
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
  it('counts calls per account and sees a clean move from a dead process', () => {
    const report = ownershipReport(
      new Map([
        ['p1', [owned(0, 'a01'), api(1, 'u1'), api(5, 'u1'), api(6, 'x')]],
        ['p2', [owned(0, 'a02'), api(2, 'u2'), owned(8, 'a01', 'a02'), api(9, 'u1')]],
      ]),
      accounts,
    );
    expect(Object.fromEntries(report.calls)).toEqual({ a01: 3, a02: 1 });
    expect(report.unattributed).toBe(1);
    expect(report.moves).toEqual([{ account: 'a01', from: 'p1', to: 'p2', lastAt: 5, firstAt: 9 }]);
    expect(report.polledInterleaved).toEqual([]);
    expect(report.claimedInterleaved).toEqual([]);
  });

  it('calls it polling twice when a process polls an account again after another one did', () => {
    const report = ownershipReport(
      new Map([
        ['p1', [api(1, 'u1'), api(10, 'u1')]],
        ['p2', [api(5, 'u1')]],
      ]),
      accounts,
    );
    expect(report.polledInterleaved).toEqual([{ account: 'a01', runs: ['p1', 'p2', 'p1'] }]);
  });

  it('calls it claiming twice when two processes hold an account in turn, back and forth', () => {
    const report = ownershipReport(
      new Map([
        ['p1', [owned(1, 'a01'), owned(3, 'a01')]],
        ['p2', [owned(2, 'a01')]],
      ]),
      accounts,
    );
    expect(report.claimedInterleaved).toEqual([{ account: 'a01', runs: ['p1', 'p2', 'p1'] }]);
  });

  it('counts only the window asked for', () => {
    const report = ownershipReport(new Map([['p1', [api(1, 'u1'), api(5, 'u1')]]]), accounts, {
      from: 2,
      to: 6,
    });
    expect(report.calls.get('a01')).toBe(1);
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
