import { lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isValidCandle, type Candle, type SymbolCandle } from '../../src/core/candle.js';
import { intervalMs } from '../../src/core/intervals.js';
import { syntheticCandles, type SyntheticOptions } from '../../src/sources/synthetic.js';
import { REGIMES, SyntheticWalk } from '../../src/sources/synthetic-walk.js';

const START = Date.UTC(2024, 0, 1);
const MIN = 60_000;

/** Everything a synthetic source emits; it is synchronous, so this needs no await. */
function emitted(source: Observable<SymbolCandle>): SymbolCandle[] {
  const out: SymbolCandle[] = [];
  let done = false;
  source.subscribe({ next: (s) => out.push(s), complete: () => (done = true) });
  expect(done).toBe(true);
  return out;
}
const seriesOf = (out: SymbolCandle[], symbol: string): Candle[] => out.filter((s) => s.symbol === symbol).map((s) => s.candle);
const generate = (options: SyntheticOptions) => emitted(syntheticCandles(options));

function logReturns(candles: readonly Candle[]): number[] {
  return candles.map((c) => Math.log(c.close / c.open));
}
function correlation(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i]!;
    sb += b[i]!;
    saa += a[i]! * a[i]!;
    sbb += b[i]! * b[i]!;
    sab += a[i]! * b[i]!;
  }
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

describe('syntheticCandles', () => {
  it('is deterministic per seed', () => {
    const options: SyntheticOptions = { symbols: ['A/USD', 'B/USD'], start: START, count: 2000, seed: 7, gaps: 0.01 };
    const a = generate(options);
    const b = generate(options);
    expect(a).toEqual(b);
    expect(a).toHaveLength(4000);
    const other = generate({ ...options, seed: 8 });
    expect(other.map((s) => s.candle.close)).not.toEqual(a.map((s) => s.candle.close));
  });

  it('gives every symbol its own series, whatever the other symbols and their order', () => {
    const alone = seriesOf(generate({ symbols: ['ETH/USD'], start: START, count: 3000, seed: 3, gaps: 0.002 }), 'ETH/USD');
    const withOthers = generate({ symbols: ['ZZZ/USD', 'ETH/USD', 'AAA/USD', 'BTC/USD'], start: START, count: 3000, seed: 3, gaps: 0.002 });
    expect(seriesOf(withOthers, 'ETH/USD')).toEqual(alone);
    // Independent: returns of two symbols are uncorrelated.
    const r = correlation(logReturns(seriesOf(withOthers, 'AAA/USD')), logReturns(seriesOf(withOthers, 'BTC/USD')));
    expect(Math.abs(r)).toBeLessThan(0.08);
    expect(seriesOf(withOthers, 'AAA/USD')).not.toEqual(seriesOf(withOthers, 'BTC/USD'));
  });

  it('names generated symbols SYN0/USD… and merges them in time order, ties by symbol', () => {
    const out = generate({ symbols: 3, start: START, count: 50 });
    expect(out.slice(0, 3).map((s) => s.symbol)).toEqual(['SYN0/USD', 'SYN1/USD', 'SYN2/USD']);
    for (let i = 1; i < out.length; i++) {
      const [p, c] = [out[i - 1]!, out[i]!];
      expect(p.candle.timestamp < c.candle.timestamp || (p.candle.timestamp === c.candle.timestamp && p.symbol < c.symbol)).toBe(true);
    }
  });

  it('makes only valid candles over a long run: positive, wicks around the body, on the grid, contiguous', () => {
    const out = generate({ symbols: ['A', 'B'], start: START, count: 100_000, seed: 11 });
    expect(out).toHaveLength(200_000);
    const last = new Map<string, Candle>();
    let bad = 0;
    for (const { symbol, interval, candle: c } of out) {
      if (!isValidCandle(c) || c.low <= 0 || c.volume <= 0 || interval !== '1m') bad++;
      const prev = last.get(symbol);
      if (prev ? c.timestamp !== prev.timestamp + MIN || c.open !== prev.close : c.timestamp !== START) bad++;
      last.set(symbol, c);
    }
    expect(bad).toBe(0);
  });

  it('stays positive and within a sane range over years, for every interval', () => {
    for (const [interval, count] of [['1h', 5 * 8760], ['1d', 30 * 365], ['1w', 2000]] as const) {
      const out = generate({ symbols: ['X'], start: START - (START % intervalMs(interval)), count, interval, seed: 5, startPrice: 0.0005 });
      expect(out).toHaveLength(count);
      expect(out.every((s) => isValidCandle(s.candle))).toBe(true);
      const lows = Math.min(...out.map((s) => s.candle.low));
      const highs = Math.max(...out.map((s) => s.candle.high));
      expect(lows).toBeGreaterThan(0.0005 / 50);
      expect(highs).toBeLessThan(0.0005 * 50);
    }
  });

  it('switches between volatility regimes that really differ', () => {
    // White box: the realised volatility of each regime's returns.
    const walk = new SyntheticWalk({ seed: 1, symbol: 'R', intervalMinutes: 1, startPrice: 100 });
    const sum = [0, 0, 0];
    const n = [0, 0, 0];
    for (let i = 0; i < 300_000; i++) {
      walk.step();
      const r = Math.log(walk.close / walk.open);
      sum[walk.regime]! += r * r;
      n[walk.regime]!++;
    }
    const sd = sum.map((s, i) => Math.sqrt(s / n[i]!));
    expect(n.every((k) => k > 5000)).toBe(true);
    expect(sd[1]! / sd[0]!).toBeGreaterThan(1.8);
    expect(sd[2]! / sd[1]!).toBeGreaterThan(2);
    expect(REGIMES.map((r) => r.name)).toEqual(['calm', 'normal', 'volatile']);

    // Black box: daily realised volatility varies far more than a constant-volatility walk would allow.
    const days = seriesOf(generate({ symbols: ['R'], start: START, count: 200 * 1440, seed: 2 }), 'R');
    const daily: number[] = [];
    for (let d = 0; d < 200; d++) {
      const r = logReturns(days.slice(d * 1440, (d + 1) * 1440));
      daily.push(Math.sqrt(r.reduce((a, x) => a + x * x, 0)));
    }
    daily.sort((a, b) => a - b);
    expect(daily[180]! / daily[20]!).toBeGreaterThan(1.5);
  });

  it('raises volume with the size of the move and the regime', () => {
    const walk = new SyntheticWalk({ seed: 4, symbol: 'V', intervalMinutes: 1, startPrice: 100 });
    const moves: number[] = [];
    const volumes: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      walk.step();
      moves.push(Math.abs(Math.log(walk.close / walk.open)));
      volumes.push(walk.volume);
    }
    expect(correlation(moves, volumes)).toBeGreaterThan(0.3);
  });

  it('leaves real gaps: missing timestamps, no invented candle, the same candles as without gaps', () => {
    const base = { symbols: ['G'], start: START, until: START + 30 * 1440 * MIN, seed: 9 } as const;
    const full = seriesOf(generate(base), 'G');
    const gappy = seriesOf(generate({ ...base, gaps: { probability: 0.002, minutes: 45 } }), 'G');
    expect(full).toHaveLength(30 * 1440);
    const steps = gappy.slice(1).map((c, i) => c.timestamp - gappy[i]!.timestamp);
    const gaps = steps.filter((s) => s > MIN);
    expect(gaps.length).toBeGreaterThan(20);
    expect(steps.every((s) => s % MIN === 0 && s > 0)).toBe(true);
    expect(gaps.every((s) => s >= 46 * MIN)).toBe(true);
    // Every candle that exists is the candle of the series without gaps at that time.
    const byTime = new Map(full.map((c) => [c.timestamp, c]));
    expect(gappy.every((c) => byTime.get(c.timestamp) === undefined || JSON.stringify(byTime.get(c.timestamp)) === JSON.stringify(c))).toBe(true);
    expect(full.length - gappy.length).toBeGreaterThan(20 * 45);
    // A number is the probability, with a default gap length; count counts the candles that exist.
    const counted = seriesOf(generate({ symbols: ['G'], start: START, count: 5000, seed: 9, gaps: 0.002 }), 'G');
    expect(counted).toHaveLength(5000);
    expect(counted[4999]!.timestamp).toBeGreaterThan(START + 4999 * MIN);
  });

  it('stops before `until` and honours the interval and start price', () => {
    const out = generate({ symbols: ['P', 'Q'], start: '2024-01-01T00:00:00Z', until: '2024-01-02', interval: '5m', startPrice: { P: 2, Q: 30_000 } });
    expect(seriesOf(out, 'P')).toHaveLength(288);
    expect(out.every((s) => s.interval === '5m' && s.candle.timestamp < START + 1440 * MIN)).toBe(true);
    expect(seriesOf(out, 'P')[0]!.open).toBe(2);
    expect(seriesOf(out, 'Q')[0]!.open).toBe(30_000);
  });

  it('generates lazily: a practically endless series can be sampled', async () => {
    // A billion candles: were they generated ahead, this would run for minutes and fail on the test timeout.
    const first = await lastValueFrom(syntheticCandles({ symbols: 1, start: START, count: 1e9 }).pipe(take(5), toArray()));
    expect(first).toHaveLength(5);
  });

  it('rejects bad options with one line naming the key', () => {
    expect(() => syntheticCandles({ symbols: 1, start: START })).toThrow('give exactly one of count or until');
    expect(() => syntheticCandles({ symbols: 1, start: START + 1, count: 1 })).toThrow("'start': 2024-01-01T00:00:00.001Z is not on the 1m grid");
    expect(() => syntheticCandles({ symbols: 1, start: 'yesterday', count: 1 })).toThrow("'start': expected epoch ms or an ISO-8601 time");
    expect(() => syntheticCandles({ symbols: 1, start: START, count: 1, gaps: 2 })).toThrow("'gaps'");
    expect(() => syntheticCandles({ symbols: 1, start: START, count: 1, seed: 1.5 })).toThrow("'seed'");
  });
});
