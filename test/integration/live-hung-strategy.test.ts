import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { IDLE_STATE } from '../../src/core/lane.js';
import type { SignalResult, Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { startBinanceServer } from '../support/binance-server.js';
import { deferredCleanups } from '../support/cleanups.js';
import { collect } from '../support/collect.js';
import { SYMBOLS, at, config, markets, startLive, trend } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';

const END = 300;
const defer = deferredCleanups();

/** Never answers on BTC/USDT (and holds no timer of its own); answers nothing elsewhere. */
const hung: Strategy = {
  name: 'hung',
  interval: '5m',
  getSignal: (ctx) => (ctx.symbol === 'BTC/USDT' ? new Promise<SignalResult>(() => undefined) : null),
};

describe('live node with a strategy that never answers', () => {
  it('keeps every other lane running (their events are a backtest’s) and a detach stops it after the grace', async () => {
    const s = await startBinanceServer({ now: at(END) + 3_600_000, from: at(-1000), markets: markets(END) });
    defer(async () => {
      expect(s.strays()).toEqual([]);
      await s.close();
    });
    const t = await tempStore({ noSync: true });
    defer(t.cleanup);
    // signalTimeoutMs stays at its default (180 s): nothing here waits for it.
    const run = startLive(s, t.store, { since: at(0), strategies: [hung, trend], stopGraceMs: 50 });
    await run.processed(END - 1);
    // Every candle went through trend's lanes while `hung` was still thinking on BTC/USDT since minute 4.
    const before = run.events.filter((e) => e.strategy === 'trend');
    expect(before.some((e) => e.symbol === 'BTC/USDT' && e.action === 'closed')).toBe(true);
    expect(run.events.filter((e) => e.strategy === 'hung')).toEqual([]);

    const events = await run.finish('detach');
    // After the grace the hanging ask is abandoned; the lane then catches up through the candles read before the
    // stop, asking at each of its 5-minute instants as an uninterrupted node would — each hangs and is abandoned in turn.
    const hungEvents = events.filter((e) => e.strategy === 'hung');
    expect(hungEvents.map((e) => e.now)).toEqual(Array.from({ length: END / 5 }, (_, i) => at(5 * (i + 1))));
    for (const e of hungEvents) {
      expect(e.action === 'error' && e.message).toMatch(
        /^strategy 'hung' on BTC\/USDT at .*: getSignal abandoned: the node is stopping \(grace 50 ms\)$/,
      );
    }

    const recorded: Record<string, Candle[]> = {};
    for (const symbol of SYMBOLS) recorded[symbol] = [...t.store.candles.readCandles(symbol, '1m', at(-config.historyCandles), at(END))];
    const replayed = await collect(
      backtest({
        source: replayCandles(recorded),
        strategies: [trend],
        config: { ...config, emitActive: true },
        lanes: { restore: () => ({ state: IDLE_STATE, lastTimestamp: at(-1) }) },
      }),
    );
    expect(events.filter((e) => e.strategy === 'trend')).toEqual(replayed);
    // The abandoned lane resumes after the candle it was asked at: its checkpoint says how far it got.
    const checkpoint = t.store.readCheckpoint('hung', 'BTC/USDT');
    expect(checkpoint?.lastTimestamp).toBe(at(END - 1));
    expect(checkpoint?.state.signal).toBeNull();
  });
});
