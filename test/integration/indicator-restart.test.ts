import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../src/core/strategy.js';
import { adx, atr, bollinger, ema, macd, rsi, sma, stochastic } from '../../src/index.js';
import { startBinanceServer } from '../support/binance-server.js';
import { deferredCleanups } from '../support/cleanups.js';
import { at, markets, startLive } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';

const END = 300;
const defer = deferredCleanups();

/** Records, per symbol and decision instant, every indicator value the strategy read. */
function watcher(seen: Map<string, string>): Strategy {
  return {
    name: 'watcher',
    interval: '1m',
    indicators: () => ({
      ema: ema(14),
      ema5m: ema(6, '5m'),
      rsi: rsi(14),
      atr: atr(14),
      adx: adx(7),
      macd: macd(12, 26, 9),
      sma: sma(20),
      bands: bollinger(20, 2),
      stoch: stochastic(14, 3),
    }),
    getSignal: (ctx) => {
      seen.set(`${ctx.symbol}@${ctx.now}`, JSON.stringify(ctx.indicators));
      // Short trades now and then: each transition is a checkpoint, so a restart resumes where the node died.
      return ctx.now % (10 * 60_000) === 0 ? { position: 'long', priceTakeProfit: ctx.price * 1.05, priceStopLoss: ctx.price * 0.95, minuteEstimatedTime: 3 } : null;
    },
  };
}

describe('indicators of a live node', () => {
  it('a node killed and restarted from its candle cache reads exactly the values an uninterrupted node reads', async () => {
    const server = await startBinanceServer({ now: at(END) + 3_600_000, from: at(-3000), markets: markets(END) });
    defer(() => server.close());
    const stores = await Promise.all([tempStore({ noSync: true }), tempStore({ noSync: true })]);
    for (const t of stores) defer(t.cleanup);
    // A small history: the indicators' own warm-up decides how much a (re)start loads.
    const options = (seen: Map<string, string>) => ({ strategies: [watcher(seen)], config: { historyCandles: 30 } });

    const whole = new Map<string, string>();
    const uninterrupted = startLive(server, stores[0]!.store, { since: at(0), ...options(whole) });
    await uninterrupted.processed(END - 1);
    await uninterrupted.finish();

    const before = new Map<string, string>();
    const first = startLive(server, stores[1]!.store, { since: at(0), ...options(before) });
    await first.processed(150);
    first.kill();
    const after = new Map<string, string>();
    const restarted = startLive(server, stores[1]!.store, options(after));
    await restarted.processed(END - 1);
    await restarted.finish();

    // The restart resumed at the last checkpoint before minute 150, its indicators warmed from the candle cache.
    const firstAsk = Math.min(...[...after.keys()].map((k) => Number(k.split('@')[1])));
    expect(firstAsk).toBeGreaterThan(at(140));
    expect(after.size).toBeGreaterThan(100);
    const warm = [...after.values()].filter((v) => !v.includes('null'));
    expect(warm.length).toBe(after.size);
    for (const [key, values] of after) expect(values, key).toBe(whole.get(key));
  });
});
