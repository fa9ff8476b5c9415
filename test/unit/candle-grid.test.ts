import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CandleError, checkCandle, GRID_MS, isOnGrid, SymbolCandleSchema, type Candle } from '../../src/core/candle.js';
import { isoTime } from '../../src/core/time.js';
import { replayCandles } from '../../src/sources/replay.js';

const T0 = Date.UTC(2024, 0, 1); // a Monday
const MIN = 60_000;
const at = (timestamp: number): Candle => ({ timestamp, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 });

describe("a candle's timestamp lies on its interval's grid (the one candle validation)", () => {
  it('multiples of the interval up to a day; a whole UTC day for 3d and 1w', () => {
    expect(isOnGrid(T0 + 5 * MIN, '5m')).toBe(true);
    expect(isOnGrid(T0 + 3 * MIN, '5m')).toBe(false);
    expect(isOnGrid(T0 + MIN + 1234, '1m')).toBe(false);
    expect(isOnGrid(T0 + 4 * 3_600_000, '4h')).toBe(true);
    expect(isOnGrid(T0 + 3_600_000, '4h')).toBe(false);
    expect(GRID_MS['3d']).toBe(1440 * MIN);
    expect(GRID_MS['1w']).toBe(1440 * MIN);
    // Exchanges open weeks on Monday, the epoch was a Thursday: both are whole days.
    expect(isOnGrid(T0, '1w')).toBe(true);
    expect(isOnGrid(T0 + 12 * 3_600_000, '1d')).toBe(false);
  });

  it('checkCandle with the interval rejects an off-grid candle naming where, symbol, time and field', () => {
    const off = at(T0 + MIN + 1234);
    expect(checkCandle(off, { symbol: 'ETH/BTC' })).toBe(off); // no interval known: shape rules only
    expect(checkCandle(at(T0 + MIN), { symbol: 'ETH/BTC', interval: '1m' }).timestamp).toBe(T0 + MIN);
    let error: unknown;
    try {
      checkCandle(off, { symbol: 'ETH/BTC', at: 'topic candles partition 0 offset 7', interval: '1m' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CandleError);
    expect(error).toMatchObject({ symbol: 'ETH/BTC', timestamp: T0 + MIN + 1234, field: 'timestamp' });
    expect((error as Error).message).toBe(
      `topic candles partition 0 offset 7: invalid candle for ETH/BTC at ${isoTime(T0 + MIN + 1234)} (${T0 + MIN + 1234}): ` +
        `field 'timestamp': not on the 1m grid: a candle's timestamp is its open time, a multiple of 60000 ms; got ${JSON.stringify(off)}`,
    );
    // The shape rules come first: a bad field is named even when the time is off-grid too.
    expect(() => checkCandle({ ...off, high: 0.1 }, { symbol: 'X', interval: '1m' })).toThrow(/field 'high'/);
  });

  it('SymbolCandleSchema applies the grid of its interval', () => {
    expect(SymbolCandleSchema.safeParse({ symbol: 'X', interval: '5m', candle: at(T0 + 5 * MIN) }).success).toBe(true);
    const r = SymbolCandleSchema.safeParse({ symbol: 'X', interval: '5m', candle: at(T0 + MIN) });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['candle', 'timestamp'], message: expect.stringMatching(/not on the 5m grid/) });
  });

  it('a timestamp beyond the last date is invalid and its error names it without throwing a RangeError', () => {
    expect(() => checkCandle(at(8.64e15 + MIN), { symbol: 'X' })).toThrow(/invalid candle for X at 8640000000060000 \(8640000000060000\): field 'timestamp': must be at most/);
    expect(isoTime(8.64e15 + 1)).toBe('8640000000000001');
  });

  it('replayCandles rejects an off-grid candle of its interval', async () => {
    const candles = [at(T0), at(T0 + 5 * MIN), at(T0 + 7 * MIN)];
    const run = (interval: '1m' | '5m') => lastValueFrom(replayCandles({ X: candles }, { interval }).pipe(toArray()));
    expect(await run('1m')).toHaveLength(3);
    await expect(run('5m')).rejects.toThrow(/X index 2: invalid candle for X at 2024-01-01T00:07:00\.000Z .*field 'timestamp': not on the 5m grid/);
  });
});
