import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { CandleHistory } from '../../src/core/history.js';
import { INTERVAL_MS, type Interval } from '../../src/core/intervals.js';

const M = 60_000;
/** A 1m candle whose prices encode its minute, so aggregates are easy to check. */
const c = (minute: number, volume = 1): Candle => ({
  timestamp: minute * M,
  open: 1000 + minute,
  high: 2000 + minute,
  low: 500 + minute,
  close: 1500 + minute,
  volume,
});

function historyOf(minutes: number[], capacity = 1000, baseMs = M): CandleHistory {
  const h = new CandleHistory(baseMs, capacity);
  for (const m of minutes) h.push(baseMs === M ? c(m) : { ...c(m), timestamp: m * M });
  return h;
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const starts = (candles: Candle[]) => candles.map((x) => x.timestamp / M);

describe('CandleHistory.candles at the base interval', () => {
  it('returns the newest `limit` closed candles, oldest first', () => {
    const h = historyOf(range(0, 10));
    expect(starts(h.candles('1m', 3, 10 * M))).toEqual([7, 8, 9]);
    expect(starts(h.candles('1m', 100, 10 * M))).toEqual(range(0, 10));
  });

  it('never returns a candle that had not closed at `now`, even when history holds newer ones', () => {
    const h = historyOf(range(0, 15));
    expect(starts(h.candles('1m', 100, 10 * M))).toEqual(range(0, 10));
    expect(starts(h.candles('1m', 2, 10 * M))).toEqual([8, 9]);
    expect(h.candles('1m', 5, 0)).toEqual([]);
  });
});

describe('CandleHistory.candles aggregated from 1m', () => {
  it('aggregates open/high/low/close/volume of a bucket', () => {
    const h = new CandleHistory(M, 100);
    for (const m of range(0, 5)) h.push(c(m, m + 1));
    h.push({ timestamp: 5 * M, open: 1, high: 1, low: 1, close: 1, volume: 0 }); // next bucket
    const [bucket] = h.candles('5m', 10, 6 * M);
    expect(bucket).toEqual({ timestamp: 0, open: 1000, high: 2004, low: 500, close: 1504, volume: 15 });
  });

  it('returns closed buckets only (bucketStart + interval ≤ now)', () => {
    const h = historyOf(range(0, 7));
    expect(starts(h.candles('5m', 10, 7 * M))).toEqual([0]);
    for (const m of [7, 8]) h.push(c(m));
    expect(starts(h.candles('5m', 10, 9 * M))).toEqual([0]);
    h.push(c(9));
    expect(starts(h.candles('5m', 10, 10 * M))).toEqual([0, 5]);
  });

  it('buckets are clock-aligned, not aligned to the first candle', () => {
    const h = historyOf(range(3, 16));
    // 03..04 form the (partial, start-of-data) 00:00 bucket; 05..09 and 10..14 are full; 15 is open.
    const out = h.candles('5m', 10, 16 * M);
    expect(starts(out)).toEqual([0, 5, 10]);
    expect(out[0]).toMatchObject({ timestamp: 0, open: 1003, close: 1504 });
  });

  it('gaps are real: a bucket is built from the candles that exist and empty buckets are not invented', () => {
    const h = historyOf([0, 1, 2, 8, 9, 25, 26, 27, 28, 29]);
    const out = h.candles('5m', 10, 30 * M);
    expect(starts(out)).toEqual([0, 5, 25]);
    expect(out[0]).toMatchObject({ open: 1000, close: 1502, high: 2002, low: 500, volume: 3 });
    expect(out[1]).toMatchObject({ open: 1008, close: 1509, volume: 2 });
  });

  it('limit keeps the newest buckets', () => {
    const h = historyOf(range(0, 60));
    expect(starts(h.candles('5m', 3, 60 * M))).toEqual([45, 50, 55]);
    expect(starts(h.candles('15m', 2, 60 * M))).toEqual([30, 45]);
    expect(starts(h.candles('1h', 5, 60 * M))).toEqual([0]);
    expect(h.candles('1h', 5, 59 * M)).toEqual([]);
  });

  it('ring capacity: old candles are dropped, and a bucket that lost its first candles is not a candle', () => {
    const full = historyOf(range(0, 12), 7); // holds 05..11
    expect(full.size).toBe(7);
    expect(starts(full.candles('1m', 100, 12 * M))).toEqual(range(5, 12));
    expect(starts(full.candles('5m', 10, 12 * M))).toEqual([5]); // 10..11 not closed
    expect(full.candles('5m', 10, 12 * M)[0]).toMatchObject({ open: 1005, close: 1509, volume: 5 });
    const lost = historyOf(range(0, 12), 6); // holds 06..11: the 05 bucket is incomplete
    expect(lost.candles('5m', 10, 12 * M)).toEqual([]);
    expect(starts(lost.candles('1m', 100, 12 * M))).toEqual(range(6, 12));
  });

  it('a strategy can never see an unclosed candle: property over intervals, nows and limits', () => {
    const h = historyOf(range(0, 500), 400);
    const intervals: Interval[] = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h'];
    for (let now = 100 * M; now <= 500 * M; now += 7 * M) {
      for (const interval of intervals) {
        for (const limit of [1, 3, 1000]) {
          const out = h.candles(interval, limit, now);
          expect(out.length).toBeLessThanOrEqual(limit);
          for (const candle of out) expect(candle.timestamp + INTERVAL_MS[interval]).toBeLessThanOrEqual(now);
          for (let i = 1; i < out.length; i++) expect(out[i]!.timestamp).toBeGreaterThan(out[i - 1]!.timestamp);
        }
      }
    }
  });
});

describe('CandleHistory.candles on a 5m base', () => {
  const h = new CandleHistory(5 * M, 100);
  for (const m of range(0, 12)) h.push({ ...c(m * 5), timestamp: m * 5 * M });

  it('serves the base and its multiples', () => {
    expect(starts(h.candles('5m', 2, 60 * M))).toEqual([50, 55]);
    expect(starts(h.candles('15m', 10, 60 * M))).toEqual([0, 15, 30, 45]);
    expect(starts(h.candles('15m', 10, 55 * M))).toEqual([0, 15, 30]);
  });

  it('refuses intervals it cannot build, and bad limits', () => {
    expect(() => h.candles('1m', 5, 60 * M)).toThrow(/base interval is 5m/);
    expect(() => h.candles('3m', 5, 60 * M)).toThrow(/base interval is 5m/);
    expect(() => h.candles('5m', 0, 60 * M)).toThrow(/limit must be a positive integer/);
    expect(() => h.candles('5m', 1.5, 60 * M)).toThrow(/limit/);
  });
});

describe('CandleHistory.averagePrice', () => {
  it('VWAP of the newest N, or of what there is; null when empty', () => {
    const h = new CandleHistory(M, 10);
    expect(h.averagePrice(5)).toBeNull();
    h.push({ timestamp: 0, open: 10, high: 12, low: 9, close: 9, volume: 1 }); // typical 10
    expect(h.averagePrice(5)).toBe(10);
    h.push({ timestamp: M, open: 20, high: 21, low: 19, close: 20, volume: 3 }); // typical 20
    expect(h.averagePrice(5)).toBe((10 + 60) / 4);
    expect(h.averagePrice(1)).toBe(20);
  });

  it('the mean of the closes when no volume traded', () => {
    const h = new CandleHistory(M, 10);
    h.push({ timestamp: 0, open: 10, high: 12, low: 9, close: 11, volume: 0 });
    h.push({ timestamp: M, open: 20, high: 21, low: 19, close: 21, volume: 0 });
    expect(h.averagePrice(5)).toBe(16);
  });
});

describe('CandleHistory.averagePrice is independent of history before its window', () => {
  it('gives bit-identical prices for the same last candles, whatever came before (a restart warms up differently)', () => {
    const mk = (i: number) => ({
      timestamp: i * 60_000,
      open: 100 + Math.sin(i) * 3.3,
      high: 104 + Math.sin(i) * 3.3,
      low: 96 + Math.sin(i) * 3.3,
      close: 100.5 + Math.sin(i) * 3.3,
      volume: 1 + (i % 7) * 0.37,
    });
    const a = new CandleHistory(60_000, 100, 5);
    const b = new CandleHistory(60_000, 100, 5);
    for (let i = 0; i < 13; i++) a.push(mk(i)); // the window ring wraps at a different slot…
    for (let i = 9; i < 13; i++) b.push(mk(i)); // …than a history that started later
    b.push(mk(13));
    a.push(mk(13));
    expect(a.averagePrice(5)).toBe(b.averagePrice(5));
    for (let i = 14; i < 40; i++) {
      a.push(mk(i));
      b.push(mk(i));
      expect(a.averagePrice(5)).toBe(b.averagePrice(5));
    }
  });
});
