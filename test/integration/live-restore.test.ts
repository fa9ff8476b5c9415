import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { startBinanceServer, syntheticCandle, type BinanceServer } from '../support/binance-server.js';
import { at, startLive, trend, type LiveRun } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { deferredCleanups } from '../support/cleanups.js';
import { prometheusText } from '../../src/pipelines/prometheus.js';

/** Flat at `price(minute)`: each candle's range is ±0.05 % around it. */
const flat =
  (price: (minute: number) => number) =>
  (t: number): Candle => {
    const p = price((t - at(0)) / 60_000);
    return { timestamp: t, open: p, high: p * 1.0005, low: p * 0.9995, close: p, volume: 1 };
  };

const MARKETS = {
  'TP/USDT': { candle: flat((m) => (m < 30 ? 100 : 102)) },
  'SL/USDT': { candle: flat((m) => (m < 30 ? 100 : 98)) },
  'TIME/USDT': { candle: flat(() => 100) },
  'LIMIT/USDT': { candle: flat(() => 100) },
};
const SYMBOLS = Object.keys(MARKETS);

/** Asked once, at 00:10: a market long everywhere, except a limit far below the market on LIMIT/USDT. */
const fixed: Strategy = {
  name: 'fixed',
  interval: '5m',
  getSignal: (ctx) => {
    if (ctx.now !== at(10)) return null;
    const p = ctx.price;
    if (ctx.symbol === 'LIMIT/USDT') {
      return { position: 'long', priceOpen: 95, priceTakeProfit: 110, priceStopLoss: 90, minuteEstimatedTime: 60 };
    }
    return { position: 'long', priceTakeProfit: p * 1.01, priceStopLoss: p * 0.99, minuteEstimatedTime: 60 };
  },
};

const config = { scheduleAwaitMinutes: 30, historyCandles: 60 };

const defer = deferredCleanups();

async function server(now: number, markets: Record<string, { candle: (t: number, ms: number) => Candle | null }> = MARKETS): Promise<BinanceServer> {
  const s = await startBinanceServer({ now, from: at(-500), markets });
  defer(async () => {
    expect(s.strays()).toEqual([]);
    await s.close();
  });
  return s;
}

async function store() {
  const t = await tempStore();
  defer(t.cleanup);
  return t;
}

const closedBefore = (m: number) => at(m) + 30_000;

function start(s: BinanceServer, t: { store: Parameters<typeof startLive>[1] }, extra: Parameters<typeof startLive>[2] = {}): LiveRun {
  return startLive(s, t.store, { symbols: SYMBOLS, strategies: [fixed], config, ...extra });
}

const outcomes = (events: readonly SignalEvent[]) => events.filter((e) => e.action === 'closed' || e.action === 'cancelled');

describe('a live node restored from its checkpoints', () => {
  for (const how of ['detached', 'crashed'] as const) {
    it(`${how} with open positions and a scheduled signal: they close by TP, SL and time, and it times out at its original deadline`, async () => {
      const s = await server(closedBefore(20));
      const t = await store();
      const first = start(s, t, { since: at(0) });
      await first.processed(19);
      const before = how === 'detached' ? await first.finish() : first.kill();
      expect(outcomes(before)).toEqual([]);
      const held = Object.fromEntries(t.store.checkpoints().map((c) => [c.symbol, c.checkpoint.state.signal]));
      expect(held['TP/USDT']).toMatchObject({ pendingAt: at(10), priceTakeProfit: expect.closeTo(101, 6) });
      expect(held['SL/USDT']).toMatchObject({ pendingAt: at(10) });
      expect(held['TIME/USDT']).toMatchObject({ pendingAt: at(10), minuteEstimatedTime: 60 });
      expect(held['LIMIT/USDT']).toMatchObject({ pendingAt: null, scheduledAt: at(10), priceOpen: 95 });

      s.now = closedBefore(100);
      const second = start(s, t);
      await second.processed(99);
      const after = await second.finish();
      const got = Object.fromEntries(outcomes(after).map((e) => [e.symbol, e]));
      expect(got['TP/USDT']).toMatchObject({ action: 'closed', closeReason: 'take_profit', now: at(31), pnl: { priceClose: expect.closeTo(101, 6) } });
      expect(got['SL/USDT']).toMatchObject({ action: 'closed', closeReason: 'stop_loss', now: at(31), pnl: { priceClose: expect.closeTo(99, 6) } });
      expect(got['TIME/USDT']).toMatchObject({ action: 'closed', closeReason: 'time_expired', now: at(70), durationMinutes: 60 });
      // The deadline is the scheduled time plus scheduleAwaitMinutes, whenever the node was restarted.
      expect(got['LIMIT/USDT']).toMatchObject({ action: 'cancelled', reason: 'timeout', now: at(40), closeTimestamp: at(10) + 30 * 60_000 });
      // No signal was opened again, none asked for after the restart re-ran candles.
      expect(after.filter((e) => e.action === 'opened' || e.action === 'scheduled').every((e) => e.now === at(10))).toBe(true);

      const t2 = await store();
      const whole = start(s, t2, { since: at(0) });
      await whole.processed(99);
      const uninterrupted = await whole.finish();
      expect(outcomes(after)).toEqual(outcomes(uninterrupted));
      const byId = new Map([...before, ...after].map((e) => [e.eventId, e]));
      expect([...byId.keys()].sort()).toEqual(uninterrupted.map((e) => e.eventId).sort());
      for (const e of uninterrupted) expect(byId.get(e.eventId)).toEqual(e);
      // The account (SEMANTICS §12) came back from the checkpoint: cash and the open stakes, hence the same equity.
      const account = second.monitor.status().account;
      expect(account).not.toBeNull();
      expect(account!.equity).not.toBe(10_000);
      expect(account).toEqual(whole.monitor.status().account);
      expect(prometheusText(second.monitor.status())).toContain(`tickflow_equity ${account!.equity}`);
    });
  }

  it('warms up the history a restarted strategy reads: it sees the same candles as if never stopped', async () => {
    const markets = { 'BTC/USDT': { candle: (t: number, ms: number) => syntheticCandle('BTC/USDT', t, ms) } };
    const seen = (record: Map<number, string>): Strategy => ({
      name: 'reader',
      interval: '5m',
      getSignal: (ctx) => {
        record.set(ctx.now, JSON.stringify([ctx.price, ctx.candles('1m', 60), ctx.candles('15m', 4)]));
        return null;
      },
    });
    const s = await server(closedBefore(40), markets);
    const t = await store();
    const restarted = new Map<number, string>();
    const first = start(s, t, { symbols: ['BTC/USDT'], strategies: [seen(restarted), trend], since: at(0) });
    await first.processed(39);
    first.kill();
    s.now = closedBefore(80);
    const second = start(s, t, { symbols: ['BTC/USDT'], strategies: [seen(restarted), trend] });
    await second.processed(79);
    await second.finish();

    const whole = new Map<number, string>();
    const t2 = await store();
    const run = start(s, t2, { symbols: ['BTC/USDT'], strategies: [seen(whole), trend], since: at(0) });
    await run.processed(79);
    await run.finish();
    expect([...restarted.keys()]).toEqual([...whole.keys()]);
    for (const [now, view] of whole) expect(restarted.get(now), `ctx at ${now}`).toBe(view);
    expect(JSON.parse(whole.get(at(80))!)[1]).toHaveLength(60);
  });
});
