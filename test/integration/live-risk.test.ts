import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { startBinanceServer, type BinanceServer, type MarketSpec } from '../support/binance-server.js';
import { deferredCleanups } from '../support/cleanups.js';
import { MIN, at, markets, startLive, trend } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';

const defer = deferredCleanups();

async function server(now: number, spec: Record<string, MarketSpec>): Promise<BinanceServer> {
  const s = await startBinanceServer({ now, from: at(-500), markets: spec });
  defer(async () => {
    expect(s.strays()).toEqual([]);
    await s.close();
  });
  return s;
}

async function store() {
  const t = await tempStore({ noSync: true });
  defer(t.cleanup);
  return t;
}

const closedBefore = (m: number) => at(m) + 30_000;
const oneSlot = { name: 'one-slot', maxConcurrentPositions: 1 };
const TRANSITIONS = new Set(['scheduled', 'opened', 'closed', 'cancelled', 'partial_profit', 'partial_loss', 'risk']);

describe('a restarted live node and its risk profile', () => {
  it('counts the positions restored from the store from the first candle, whichever symbol runs first (warmupCandles: 0)', async () => {
    const flat = (t: number): Candle => ({ timestamp: t, open: 100, high: 100.05, low: 99.95, close: 100, volume: 1 });
    const s = await server(closedBefore(10), { 'BTC/USDT': { candle: flat }, 'ETH/USDT': { candle: flat } });
    // ETH goes long at 00:05 and stays open; BTC asks from 00:11 on, at its first candle after the restart.
    const pick: Strategy = {
      name: 'pick',
      interval: '1m',
      getSignal: (ctx) =>
        (ctx.symbol === 'ETH/USDT' && ctx.now === at(5)) || (ctx.symbol === 'BTC/USDT' && ctx.now >= at(11))
          ? { position: 'long', priceTakeProfit: 110, priceStopLoss: 90, minuteEstimatedTime: 600 }
          : null,
    };
    const t = await store();
    const options = { strategies: [pick], risk: oneSlot, warmupCandles: 0 };
    const first = startLive(s, t.store, { ...options, since: at(0) });
    await first.processed(9);
    const before = await first.finish();
    expect(before.filter((e) => e.action === 'opened').map((e) => e.symbol)).toEqual(['ETH/USDT']);

    s.now = closedBefore(20);
    const second = startLive(s, t.store, options);
    await second.processed(19);
    const after = await second.finish();
    // BTC's lane runs before ETH's at each candle: ETH's restored position must already hold the only slot.
    // (ETH's opening is re-delivered first: the outbox of its lane's last checkpoint.)
    expect(after.filter((e) => e.action === 'opened').map((e) => e.eventId)).toEqual(before.filter((e) => e.action === 'opened').map((e) => e.eventId));
    const risk = after.filter((e) => e.action === 'risk');
    expect(risk[0]).toMatchObject({ symbol: 'BTC/USDT', now: at(11), reason: expect.stringMatching(/one-slot/) });
    expect(risk.map((e) => e.now)).toEqual(Array.from({ length: 10 }, (_, i) => at(11 + i)));
    expect(second.monitor.openPositions).toBe(1);
  });

  it('after a crash re-delivers a risk rejection with the checkpoint outbox, never judges its candle again', async () => {
    const END = 240;
    const s = await server(at(END) + 3_600_000, markets(END));
    const options = { strategies: [trend], risk: oneSlot };

    // The uninterrupted run: pick a rejection after which nothing else happened at that instant.
    const whole = startLive(s, (await store()).store, { ...options, since: at(0) });
    await whole.processed(END - 1);
    const reference = await whole.finish();
    const rejection = reference.find(
      (r) => r.action === 'risk' && r.now > at(60) && !reference.some((e) => e !== r && TRANSITIONS.has(e.action) && e.now === r.now),
    );
    expect(rejection, 'a lone risk rejection in the reference run').toBeDefined();
    const minute = (rejection!.now - at(0)) / MIN - 1;

    // Crash right after the candle of that rejection went through every lane.
    s.now = closedBefore(minute + 1);
    const t = await store();
    const first = startLive(s, t.store, { ...options, since: at(0) });
    await first.processed(minute);
    const before = first.kill();
    expect(before.map((e) => e.eventId)).toContain(rejection!.eventId);
    const outbox = t.store.checkpoints().flatMap((c) => [...c.checkpoint.events]);

    s.now = at(END) + 3_600_000;
    const second = startLive(s, t.store, options);
    await second.processed(END - 1);
    const after = await second.finish();
    expect(after.slice(0, outbox.length)).toEqual(outbox);
    const seen = new Set(before.map((e) => e.eventId));
    const again = after.slice(outbox.length).filter((e) => TRANSITIONS.has(e.action) && seen.has(e.eventId));
    expect(again.map((e) => e.eventId)).toEqual([]);
    const byId = new Map([...before, ...after].map((e) => [e.eventId, e]));
    expect([...byId.keys()].sort()).toEqual(reference.map((e) => e.eventId).sort());
  });
});
