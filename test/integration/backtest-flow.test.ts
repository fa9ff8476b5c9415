import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { FlowGate } from '../../src/core/flow-gate.js';
import { replayCandles } from '../../src/sources/replay.js';
import { series, T0 } from '../support/fixtures.js';

const MIN = 60_000;

/** A lazily generated input that counts how many candles the pipeline has pulled so far. */
function counted(candles: readonly Candle[]) {
  const counter = { pulled: 0 };
  function* gen() {
    for (const c of candles) {
      counter.pulled++;
      yield c;
    }
  }
  return { counter, input: gen() };
}

const market: Strategy = {
  name: 'market',
  interval: '5m',
  getSignal: (ctx) => ({ position: 'long', priceTakeProfit: ctx.price * 1.01, priceStopLoss: ctx.price * 0.99, minuteEstimatedTime: 30 }),
};

describe('backtest: flow control between the source and the lanes', () => {
  it('a tickflow source waits while an async strategy thinks instead of pushing the rest of history into a queue', async () => {
    const candles = series(3_000, 0);
    const { counter, input } = counted(candles);
    const lead: number[] = [];
    let asked = 0;
    const slow: Strategy = {
      name: 'slow',
      interval: '5m',
      // Answers on a later macrotask: a synchronous source would have replayed everything by then.
      getSignal: (ctx) => {
        asked++;
        lead.push(counter.pulled - (ctx.now - T0) / MIN);
        return new Promise((resolve) => setTimeout(() => resolve(null), 0));
      },
    };
    const events = await lastValueFrom(backtest({ source: replayCandles({ 'BTC/USDT': input }), strategies: [slow] }).pipe(toArray()));
    expect(events.filter((e) => e.action === 'error')).toEqual([]);
    expect(asked).toBe(3_000 / 5);
    // When asked at `now`, the source has read at most the candle that closed at `now`: nothing ran ahead.
    expect(Math.max(...lead)).toBeLessThanOrEqual(0);
    expect(counter.pulled).toBe(3_000);
  });

  it('unsubscribing stops the run: the source is not read to the end', async () => {
    const candles = series(5_000, 0);
    const { counter, input } = counted(candles);
    const first = await lastValueFrom(
      backtest({ source: replayCandles({ 'BTC/USDT': input }), strategies: [market] }).pipe(take(3), toArray()),
    );
    expect(first).toHaveLength(3);
    expect(counter.pulled).toBeLessThan(500);
  });

  it('progress events carry the engine clock (close time) and a done event closes the run', async () => {
    const candles = series(1_000, 0);
    const events = await lastValueFrom(
      backtest({ source: replayCandles({ 'BTC/USDT': candles }), strategies: [market], progressEvery: 250 }).pipe(toArray()),
    );
    const progress = events.filter((e) => e.action === 'progress');
    expect(progress.map((e) => (e.action === 'progress' ? [e.processed, e.now] : null))).toEqual([
      [250, T0 + 250 * MIN],
      [500, T0 + 500 * MIN],
      [750, T0 + 750 * MIN],
      [1000, T0 + 1000 * MIN],
    ]);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ action: 'done', processed: 1000, now: T0 + 1000 * MIN, symbol: '*', strategy: '*' });
    // Progress is interleaved in time order with the lanes' events.
    const nows = events.map((e) => e.now);
    expect(nows).toEqual([...nows].sort((a, b) => a - b));
  });

  it("waits on the source's own gate (a sink's backpressure) as well as on the run's", async () => {
    const candles = series(1_000, 0);
    const reference = await lastValueFrom(backtest({ source: replayCandles({ 'BTC/USDT': candles }), strategies: [market] }).pipe(toArray()));
    const { counter, input } = counted(candles);
    const sink = new FlowGate();
    sink.hold();
    const done = lastValueFrom(backtest({ source: replayCandles({ 'BTC/USDT': input }).withGate(sink), strategies: [market] }).pipe(toArray()));
    // A synchronous source that ignored the held gate would have been read to the end inside subscribe().
    expect(counter.pulled).toBe(0);
    sink.release();
    expect(await done).toEqual(reference);
    expect(counter.pulled).toBe(1_000);
  });
});
