import { describe, expect, it } from 'vitest';
import { EVENT_HORIZON_S, EventLedger } from '../../src/security/event-ledger.js';

const NOW = 1_800_000_000;
/** The bridge started a minute before NOW, long after the history the tests read. */
const STARTED = NOW - 60;
const e = (key: string, time: number) => ({ key, time });

describe('EventLedger', () => {
  it('takes the first read of a home as history, whatever its age, and publishes only what comes after', () => {
    const ledger = new EventLedger(STARTED);
    const first = ledger.admitPolled('h', [e('b', STARTED - 600), e('a', NOW - 3 * 86_400)], NOW);
    expect(first.fresh).toEqual([]);
    // Oldest first, so the last alarm event wins when their effects are applied in order.
    expect(first.history.map((x) => x.key)).toEqual(['a', 'b']);
    const next = ledger.admitPolled('h', [e('c', NOW + 20), e('b', STARTED - 600)], NOW + 30);
    expect(next).toEqual({ fresh: [e('c', NOW + 20)], history: [] });
  });

  it('publishes at its first read what happened since the bridge started (the read came later)', () => {
    const ledger = new EventLedger(STARTED);
    const first = ledger.admitPolled(
      'h',
      [e('since', STARTED + 30), e('before', STARTED - 3_600)],
      NOW + 600,
    );
    expect(first.fresh.map((x) => x.key)).toEqual(['since']);
    expect(first.history.map((x) => x.key)).toEqual(['before']);
  });

  it('drops what a push already brought, and a push what a poll already read', () => {
    const ledger = new EventLedger(STARTED);
    ledger.admitPolled('h', [], NOW);
    expect(ledger.admitPushed('h', e('p', NOW), NOW)).toBe(true);
    expect(ledger.admitPolled('h', [e('p', NOW), e('q', NOW + 1)], NOW + 5).fresh.map((x) => x.key)).toEqual([
      'q',
    ]);
    expect(ledger.admitPushed('h', e('q', NOW + 1), NOW + 6)).toBe(false);
    // Outdoor detections share the event id: their keys carry the sub-event.
    expect(ledger.admitPushed('h', e('x/1', NOW + 7), NOW + 7)).toBe(true);
    expect(ledger.admitPushed('h', e('x/2', NOW + 7), NOW + 7)).toBe(true);
  });

  it('a push before the first read of its home is fresh, and does not make the read fresh', () => {
    const ledger = new EventLedger(STARTED);
    expect(ledger.admitPushed('h', e('p', NOW), NOW)).toBe(true);
    expect(ledger.baselined('h')).toBe(false);
    const first = ledger.admitPolled('h', [e('p', NOW), e('old', STARTED - 600)], NOW + 1);
    expect(first).toEqual({ fresh: [], history: [e('old', STARTED - 600)] });
  });

  it('keeps events missed for longer than the horizon as history (state only), not as news', () => {
    const ledger = new EventLedger(STARTED);
    ledger.admitPolled('h', [e('a', NOW)], NOW);
    const later = NOW + 2 * EVENT_HORIZON_S;
    const admitted = ledger.admitPolled(
      'h',
      [e('late', later - EVENT_HORIZON_S - 60), e('new', later - 60)],
      later,
    );
    expect(admitted.fresh.map((x) => x.key)).toEqual(['new']);
    expect(admitted.history.map((x) => x.key)).toEqual(['late']);
  });

  it('survives a restart through its snapshot: nothing seen is fresh again', () => {
    const ledger = new EventLedger(STARTED);
    ledger.admitPolled('h', [e('a', NOW - 5)], NOW);
    ledger.admitPolled('h', [e('b', NOW + 5)], NOW + 10);
    // A ledger that started later still knows them all.
    const saved = JSON.parse(JSON.stringify(ledger.snapshot()));
    const restored = new EventLedger(NOW + 15);
    restored.restore(saved);
    expect(restored.baselined('h')).toBe(true);
    const after = restored.admitPolled('h', [e('c', NOW + 20), e('b', NOW + 5), e('a', NOW - 5)], NOW + 30);
    expect(after).toEqual({ fresh: [e('c', NOW + 20)], history: [] });
  });

  it('ignores a malformed saved section (a first start again) instead of failing', () => {
    const ledger = new EventLedger(STARTED);
    for (const bad of [undefined, 7, { homes: [] }, { homes: { h: { watermark: 'x', seen: [] } } }])
      ledger.restore(bad);
    expect(ledger.baselined('h')).toBe(false);
    ledger.restore({ homes: { h: { watermark: NOW - 100, seen: [['a', NOW], ['bad'], [3, 4]] } } });
    expect(ledger.admitPolled('h', [e('a', NOW)], NOW).fresh).toEqual([]);
  });

  it('says when a page may have more new events behind it', () => {
    const ledger = new EventLedger(STARTED);
    expect(ledger.gapBehind('h', [e('a', NOW)])).toBe(false); // not read yet: the first page is history anyway
    ledger.admitPolled('h', [e('a', NOW)], NOW);
    expect(ledger.gapBehind('h', [e('c', NOW + 20), e('b', NOW + 10)])).toBe(true);
    expect(ledger.gapBehind('h', [e('c', NOW + 20), e('a', NOW)])).toBe(false);
  });
});
