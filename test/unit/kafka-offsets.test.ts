import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../src/kafka/offsets.js';

/** What a successful commit does: take the offsets and confirm them. */
function commit(t: OffsetTracker) {
  const offsets = t.takeCommits();
  t.confirm(offsets);
  return offsets;
}

describe('OffsetTracker', () => {
  it('commits a partition only past the longest prefix of processed records', () => {
    const t = new OffsetTracker();
    // one partition, two symbols interleaved: A@1 B@1 A@2 B@2
    t.track(0, '10', { symbol: 'A', timestamp: 1 });
    t.track(0, '11', { symbol: 'B', timestamp: 1 });
    t.track(0, '12', { symbol: 'A', timestamp: 2 });
    t.track(0, '13', { symbol: 'B', timestamp: 2 });
    expect(commit(t)).toEqual([]);
    t.processed('A', 2);
    expect(commit(t)).toEqual([{ partition: 0, offset: '11' }]); // B@1 blocks
    expect(t.pending).toBe(3);
    t.processed('B', 1);
    expect(commit(t)).toEqual([{ partition: 0, offset: '13' }]);
    expect(commit(t)).toEqual([]); // nothing new
    t.processed('B', 2);
    expect(commit(t)).toEqual([{ partition: 0, offset: '14' }]);
    expect(t.pending).toBe(0);
  });

  it('treats records that emitted nothing as done, and keeps partitions apart', () => {
    const t = new OffsetTracker();
    t.track(0, '0', null);
    t.track(1, '0', { symbol: 'A', timestamp: 5 });
    t.track(1, '1', null);
    expect(commit(t)).toEqual([{ partition: 0, offset: '1' }]);
    t.processed('A', 5);
    expect(commit(t)).toEqual([{ partition: 1, offset: '2' }]);
  });

  it('handles a re-fetch from an earlier offset and a symbol processed before its record arrives again', () => {
    const t = new OffsetTracker();
    t.track(0, '0', { symbol: 'A', timestamp: 1 });
    t.track(0, '1', { symbol: 'A', timestamp: 2 });
    t.track(0, '2', { symbol: 'A', timestamp: 3 });
    t.processed('A', 1);
    expect(commit(t)).toEqual([{ partition: 0, offset: '1' }]);
    // rebalance: the partition is read again from the committed offset
    t.track(0, '1', { symbol: 'A', timestamp: 2 });
    t.track(0, '2', { symbol: 'A', timestamp: 3 });
    expect(t.pending).toBe(2);
    t.processed('A', 3);
    expect(commit(t)).toEqual([{ partition: 0, offset: '3' }]);
  });

  it('forgets partitions that were revoked and never commits backwards', () => {
    const t = new OffsetTracker();
    t.track(0, '5', null);
    t.track(1, '7', { symbol: 'B', timestamp: 1 });
    t.retain(new Set([0]));
    t.processed('B', 1);
    expect(commit(t)).toEqual([{ partition: 0, offset: '6' }]);
    t.track(0, '3', null); // an older record again: its offset is behind what was committed
    expect(commit(t)).toEqual([]);
  });

  it('offers an unconfirmed commit again (a failed or dropped request), and only the newest offset', () => {
    const t = new OffsetTracker();
    t.track(0, '0', { symbol: 'A', timestamp: 1 });
    t.track(0, '1', { symbol: 'A', timestamp: 2 });
    t.processed('A', 1);
    expect(t.takeCommits()).toEqual([{ partition: 0, offset: '1' }]); // not confirmed
    expect(t.takeCommits()).toEqual([{ partition: 0, offset: '1' }]);
    t.processed('A', 2);
    const offsets = t.takeCommits();
    expect(offsets).toEqual([{ partition: 0, offset: '2' }]);
    t.confirm(offsets);
    expect(t.takeCommits()).toEqual([]);
    t.confirm([{ partition: 0, offset: '1' }]); // a late confirmation of an older request never moves it back
    expect(t.takeCommits()).toEqual([]);
  });
});
