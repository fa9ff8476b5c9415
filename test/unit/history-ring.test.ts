import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { CandleHistory } from '../../src/core/history.js';
import { INTERVAL_MS, type Interval } from '../../src/core/intervals.js';
import { Sfc32 } from '../../src/sources/prng.js';

// The ring of typed columns against a model that keeps every candle as an object and applies the contract of
// `candles()` literally: closed candles only, the newest `capacity` of them, clock-aligned buckets, a bucket that
// lost its first candles to the capacity is not a candle.

const M = 60_000;

function candleAt(rng: Sfc32, t: number): Candle {
  const open = 100 + rng.uniform() * 10;
  const close = 100 + rng.uniform() * 10;
  const high = Math.max(open, close) + rng.uniform();
  const low = Math.min(open, close) - rng.uniform();
  return { timestamp: t, open, high, low, close, volume: rng.uniform() < 0.1 ? 0 : rng.uniform() * 50 };
}

/** Minutes with random gaps (runs of missing candles), starting at `from`. */
function series(rng: Sfc32, n: number, from = 0): Candle[] {
  const out: Candle[] = [];
  let minute = from;
  while (out.length < n) {
    if (rng.uniform() < 0.03) minute += 1 + Math.floor(rng.uniform() * 40);
    out.push(candleAt(rng, minute * M));
    minute++;
  }
  return out;
}

function model(all: readonly Candle[], capacity: number, baseMs: number, interval: Interval, limit: number, now: number): Candle[] {
  const visible = all.slice(-capacity).filter((c) => c.timestamp + baseMs <= now);
  const bucketMs = INTERVAL_MS[interval];
  if (bucketMs === baseMs) return visible.slice(-limit);
  const buckets: Candle[] = [];
  for (const c of visible) {
    const start = c.timestamp - (c.timestamp % bucketMs);
    if (start + bucketMs > now) continue;
    const last = buckets[buckets.length - 1];
    if (last && last.timestamp === start) {
      buckets[buckets.length - 1] = {
        timestamp: start,
        open: last.open,
        high: Math.max(last.high, c.high),
        low: Math.min(last.low, c.low),
        close: c.close,
        volume: last.volume + c.volume,
      };
    } else {
      buckets.push({ ...c, timestamp: start });
    }
  }
  if (visible.length === capacity && buckets.length > 0 && buckets[0]!.timestamp < visible[0]!.timestamp) buckets.shift();
  return buckets.slice(-limit);
}

/** Volumes are summed newest first by the ring: compare them to the model's with a tolerance, the rest exactly. */
function expectSame(actual: Candle[], expected: Candle[]): void {
  expect(actual.map((c) => [c.timestamp, c.open, c.high, c.low, c.close])).toEqual(expected.map((c) => [c.timestamp, c.open, c.high, c.low, c.close]));
  actual.forEach((c, i) => expect(c.volume).toBeCloseTo(expected[i]!.volume, 9));
}

describe('CandleHistory ring of typed columns', () => {
  it('matches the model across wrap-around, gaps, capacities, intervals and limits', () => {
    const rng = new Sfc32(1, 2, 3, 4);
    for (const capacity of [5, 7, 64, 300]) {
      const all = series(rng, 900, 3);
      const h = new CandleHistory(M, capacity);
      for (let i = 0; i < all.length; i++) {
        h.push(all[i]!);
        if (i % 29 !== 0) continue;
        const now = all[i]!.timestamp + M;
        expect(h.size).toBe(Math.min(i + 1, capacity));
        for (const interval of ['1m', '3m', '5m', '15m', '1h'] as Interval[]) {
          for (const limit of [1, 3, 50, 1000]) {
            expectSame(h.candles(interval, limit, now), model(all.slice(0, i + 1), capacity, M, interval, limit, now));
          }
        }
      }
    }
  });

  it('gives back exactly the numbers pushed (-0, tiny prices, epoch-ms times)', () => {
    const h = new CandleHistory(M, 3);
    const c = { timestamp: 1516423980000, open: 0.08939998, high: 0.08939998, low: 0.08909372, close: 0.08909374, volume: -0 };
    h.push(c);
    const [out] = h.candles('1m', 1, c.timestamp + M);
    expect(out).toEqual(c);
    expect(Object.is(out!.volume, -0)).toBe(true);
  });

  it('aggregates across a gap from the candles that exist, and a bucket cut by the capacity is dropped', () => {
    const rng = new Sfc32(9, 9, 9, 9);
    // 0..3, then a gap to 12..14: buckets 0 (4 candles) and 10 (3 candles), none invented for 5..9.
    const all = [0, 1, 2, 3, 12, 13, 14].map((m) => candleAt(rng, m * M));
    const h = new CandleHistory(M, 6); // holds 1..14: the 0 bucket lost its first candle
    for (const c of all) h.push(c);
    const out = h.candles('5m', 10, 15 * M);
    expect(out.map((c) => c.timestamp / M)).toEqual([10]);
    expect(out[0]).toMatchObject({ open: all[4]!.open, close: all[6]!.close, high: Math.max(...all.slice(4).map((c) => c.high)) });
  });

  it('keeps its capacity flat: at most 1 MB per symbol at the default 10,080 candles, whatever was pushed', () => {
    const h = new CandleHistory(M, 10_080);
    const rng = new Sfc32(5, 6, 7, 8);
    for (const c of series(rng, 25_000)) h.push(c);
    expect(h.size).toBe(10_080);
    expect(h.byteSize).toBeLessThanOrEqual(2 ** 20);
  });

  it('while held, grows past its capacity and serves an old instant as it was; released, it shrinks back', () => {
    const rng = new Sfc32(3, 1, 4, 1);
    const all = series(rng, 200);
    const capacity = 10;
    const h = new CandleHistory(M, capacity);
    for (const c of all.slice(0, 50)) h.push(c);
    const asked = all[49]!.timestamp + M;
    h.hold();
    for (const c of all.slice(50)) h.push(c); // 150 more than the ring's capacity, while a step at `asked` waits
    expect(h.size).toBe(capacity + 150);
    for (const interval of ['1m', '5m'] as Interval[]) {
      expectSame(h.candles(interval, 100, asked), model(all.slice(0, 50), capacity, M, interval, 100, asked));
    }
    h.release();
    expect(h.size).toBe(capacity);
    expect(h.byteSize).toBeLessThan(2 * 6 * 8 * capacity + 1000);
    const now = all[199]!.timestamp + M;
    expectSame(h.candles('1m', 100, now), model(all, capacity, M, '1m', 100, now));
  });

  it('serves one set of frozen candles per instant to every lane that asks; the arrays are the callers\' own', () => {
    const rng = new Sfc32(2, 7, 1, 8);
    const all = series(rng, 100);
    const h = new CandleHistory(M, 50);
    for (const c of all) h.push(c);
    const now = all[99]!.timestamp + M;
    const a = h.candles('1m', 3, now);
    const b = h.candles('1m', 10, now); // a wider read extends what was served
    const c = h.candles('1m', 3, now);
    expect(b.slice(-3)).toEqual(a);
    a.forEach((x, i) => expect(x).toBe(b[7 + i])); // the same objects
    expect(c).not.toBe(a);
    expect([...a, ...b].every((x) => Object.isFrozen(x))).toBe(true);
    const five = h.candles('5m', 2, now);
    const fiveMore = h.candles('5m', 4, now);
    expect(fiveMore.slice(-2)[0]).toBe(five[0]);
    expect(five.every((x) => Object.isFrozen(x))).toBe(true);
    // A new candle is a new instant: nothing of the old one is served again.
    h.push(candleAt(rng, now));
    const next = h.candles('1m', 3, now + M);
    expect(next[1]).toEqual(a[2]);
    expect(next[1]).not.toBe(a[2]);
  });
});
