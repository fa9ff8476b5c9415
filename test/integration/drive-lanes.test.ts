import { from, lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig, type ConfigInput } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import { IDLE_STATE, laneState } from '../../src/core/lane.js';
import type { RiskProfile } from '../../src/core/risk.js';
import type { Strategy } from '../../src/core/strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { runLanes, type LaneOptions } from '../../src/operators/run-lane.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { riskLanes } from '../../src/pipelines/risk-lanes.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { collect } from '../support/collect.js';
import { dip, series, T0, trend } from '../support/fixtures.js';

// `backtest` reads a tickflow source straight into the lanes (no operator per candle, bars and steps reused while
// nothing waits). These tests hold it to the operator chain it replaces: `averagePrice → runLanes`.

const MIN = 60_000;

/** The operator chain, with the same risk wiring as `backtest`. */
function chain(
  source: Observable<SymbolCandle>,
  strategies: Strategy[],
  options: { config?: ConfigInput; risk?: RiskProfile[]; lanes?: LaneOptions } = {},
): Observable<SignalEvent> {
  const config = resolveConfig(options.config ?? {});
  const lanes = riskLanes(options.lanes ?? {}, { risk: options.risk, strategies, config });
  return source.pipe(averagePrice(config), runLanes(strategies, config, { ...lanes, mode: 'backtest' }));
}

const withoutRunEvents = (events: SignalEvent[]) => events.filter((e) => e.action !== 'progress' && e.action !== 'done');

/** Asks on a later macrotask: the lanes wait, later candles queue behind it. */
const later = (strategy: Strategy, name: string): Strategy => ({
  ...strategy,
  name,
  getSignal: (ctx) => new Promise((resolve) => setTimeout(() => resolve(strategy.getSignal(ctx) as never), 0)),
});

/** Sometimes throws, rejects, answers an invalid signal or a Promise; otherwise follows `trend`. */
const erratic: Strategy = {
  name: 'erratic',
  interval: '1m',
  getSignal: (ctx) => {
    const m = (ctx.now / MIN) % 7;
    if (m === 0) throw new Error('boom');
    if (m === 1) return { position: 'long', priceTakeProfit: 1, priceStopLoss: 2, minuteEstimatedTime: 5 };
    if (m === 2) return Promise.reject(new Error('no'));
    if (m === 3) return Promise.resolve(trend.getSignal(ctx));
    return trend.getSignal(ctx);
  },
};

/** Reads 1h candles: the aggregated history must see the same closed buckets either way. */
const hourly: Strategy = {
  name: 'hourly',
  interval: '15m',
  getSignal: (ctx) => {
    const c = ctx.candles('1h', 4);
    if (c.length < 2) return null;
    const p = ctx.price;
    return c[1]!.close > c[0]!.close
      ? { position: 'short', priceTakeProfit: p * 0.995, priceStopLoss: p * 1.006, minuteEstimatedTime: 90 }
      : null;
  },
};

/** A copy of the series with gaps: some longer than a schedule window. */
function gappy(candles: Candle[]): Candle[] {
  let shift = 0;
  return candles.map((c, i) => {
    if (i % 499 === 0) shift += 137 * MIN;
    return { ...c, timestamp: c.timestamp + shift };
  });
}

const A = series(3_000, 0);
const B = gappy(series(3_000, 11));
const C = series(2_500, 29).map((c, i) => (i % 13 === 0 ? { ...c, volume: 0 } : c));

describe('backtest drives the lanes itself: the same events as averagePrice → runLanes', () => {
  const cases: Array<{ name: string; data: Record<string, Candle[]>; strategies: Strategy[]; config?: ConfigInput; risk?: RiskProfile[] }> = [
    { name: 'one symbol, one strategy', data: { A }, strategies: [trend] },
    { name: 'several symbols and strategies, limit entries, gaps', data: { A, B, C }, strategies: [trend, dip(0.997), hourly] },
    { name: 'async strategies queue later candles', data: { A, B }, strategies: [later(trend, 'later'), dip(0.997), trend] },
    { name: 'errors, rejections and invalid signals', data: { A, C }, strategies: [erratic, trend], config: { closeAtEnd: true } },
    {
      name: 'a portfolio risk gate',
      data: { A, B, C },
      strategies: [trend, dip(0.997)],
      risk: [{ name: 'portfolio', maxConcurrentPositions: 2 }],
    },
    {
      name: 'an async strategy under a risk gate',
      data: { A, B },
      strategies: [later(trend, 'later'), dip(0.997)],
      risk: [{ name: 'portfolio', maxConcurrentPositions: 1 }],
    },
    {
      name: 'closeAtEnd, emitActive and other settings',
      data: { A, B },
      strategies: [trend, dip(0.999), hourly],
      config: { closeAtEnd: true, emitActive: true, avgPriceCandles: 3, historyCandles: 100, partialLevels: [25, 50, 75], intrabar: 'take-profit-first' },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const expected = await collect(chain(replayCandles(c.data), c.strategies, { config: c.config, risk: c.risk }));
      const events = await collect(backtest({ source: replayCandles(c.data), strategies: c.strategies, config: c.config, risk: c.risk }));
      expect(events.length).toBeGreaterThan(50);
      expect(events).toEqual(expected);
      // With progress events, the lanes' events are the same and in the same order.
      const counted = await collect(
        backtest({ source: replayCandles(c.data), strategies: c.strategies, config: c.config, risk: c.risk, progressEvery: 333 }),
      );
      expect(withoutRunEvents(counted)).toEqual(expected);
      expect(counted.at(-1)).toMatchObject({ action: 'done' });
    });
  }

  it('from any Observable of candles (not a tickflow source)', async () => {
    const merged = (): Observable<SymbolCandle> =>
      from(
        [...A.map((candle) => ({ symbol: 'A', interval: '1m' as const, candle })), ...B.map((candle) => ({ symbol: 'B', interval: '1m' as const, candle }))].sort(
          (x, y) => x.candle.timestamp - y.candle.timestamp || (x.symbol < y.symbol ? -1 : 1),
        ),
      );
    const strategies = [trend, dip(0.997), later(trend, 'later')];
    const expected = await collect(chain(merged(), strategies));
    expect(await collect(backtest({ source: merged(), strategies }))).toEqual(expected);
  });

  it('from a streamed (generated) source', async () => {
    const source = () => syntheticCandles({ symbols: ['X', 'Y'], start: T0, count: 6_000, seed: 3 });
    const strategies = [trend, dip(0.998)];
    const expected = await collect(chain(source(), strategies));
    expect(expected.length).toBeGreaterThan(50);
    expect(await collect(backtest({ source: source(), strategies }))).toEqual(expected);
  });

  it('a restored lane that skips every candle settles at the end on its first bar', async () => {
    // The lane resumes with an open signal and has already processed beyond the data: every bar is a replay.
    const opened = { id: 'x', position: 'long' as const, priceOpen: 100, priceTakeProfit: 200, priceStopLoss: 50, minuteEstimatedTime: 10_000, scheduledAt: T0, pendingAt: T0, note: null };
    const restore = (strategy: string, symbol: string) =>
      symbol === 'A' ? { state: laneState(opened, IDLE_STATE.partials, null), lastTimestamp: T0 + 10 * 24 * 60 * MIN } : undefined;
    const config = { closeAtEnd: true };
    const expected = await collect(chain(replayCandles({ A: A.slice(0, 300) }), [trend], { config, lanes: { restore } }));
    const events = await collect(backtest({ source: replayCandles({ A: A.slice(0, 300) }), strategies: [trend], config, lanes: { restore } }));
    expect(events).toEqual(expected);
    const closed = events.find((e) => e.action === 'closed');
    expect(closed).toMatchObject({ symbol: 'A', now: A[0]!.timestamp + MIN, closeReason: 'time_expired' });
  });

  it('an in-memory source stops at once when the consumer does, and waits while a strategy thinks', async () => {
    const candles = series(5_000, 0);
    let read = 0;
    // Counts the candles the source reads (an array, so the in-memory fast path is taken).
    const input = candles.map((_, i) => i);
    const watched = new Proxy(input, {
      get: (target, key) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) {
          read++;
          return candles[Number(key)];
        }
        return Reflect.get(target, key);
      },
    }) as unknown as Candle[];
    const first = await lastValueFrom(backtest({ source: replayCandles({ A: watched }), strategies: [trend] }).pipe(take(3), toArray()));
    expect(first).toHaveLength(3);
    expect(read).toBeLessThan(500);

    read = 0;
    const lead: number[] = [];
    const slow: Strategy = {
      name: 'slow',
      interval: '5m',
      getSignal: (ctx) => {
        lead.push(read - (ctx.now - T0) / MIN);
        return new Promise((resolve) => setTimeout(() => resolve(null), 0));
      },
    };
    await collect(backtest({ source: replayCandles({ A: watched }), strategies: [slow] }));
    // When asked at `now`, the source has read at most the candle that closed at `now`: nothing ran ahead.
    expect(lead).toHaveLength(5_000 / 5);
    expect(Math.max(...lead)).toBeLessThanOrEqual(0);
  });
});
