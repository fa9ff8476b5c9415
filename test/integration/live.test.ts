import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import { IDLE_STATE } from '../../src/core/lane.js';
import type { Strategy } from '../../src/core/strategy.js';
import { live, LiveMonitor } from '../../src/live.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { collect, waitFor } from '../support/collect.js';
import { SYMBOLS, at, config, markets, signalEvents, startLive, strategies, trend } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { deferredCleanups } from '../support/cleanups.js';

const END = 400;
const SETTLED = at(END) + 3_600_000;

const defer = deferredCleanups();

async function server(now = SETTLED): Promise<BinanceServer> {
  const s = await startBinanceServer({ now, from: at(-1000), markets: markets(END) });
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

const label = (e: SignalEvent) =>
  e.action === 'closed' ? `closed:${e.closeReason}` : e.action === 'cancelled' ? `cancelled:${e.reason}` : e.action;

/** The exchange's clock half a minute after minute `m` opened… closed: every candle before `m` has closed. */
const closedBefore = (m: number) => at(m) + 30_000;

const openLanes = (s: { checkpoints(): Array<{ checkpoint: { state: { signal: unknown } } }> }) =>
  s.checkpoints().filter((c) => c.checkpoint.state.signal !== null).length;

describe('live pipeline on the local Binance', () => {
  it('gives the events a backtest of the candles it processed gives (replay equivalence), warm-up included', async () => {
    const s = await server();
    const t = await store();
    const run = startLive(s, t.store, { since: at(0) });
    await run.processed(END - 1);
    const events = await run.finish();
    expect(new Set(signalEvents(events).map(label))).toEqual(
      new Set(['opened', 'active', 'scheduled', 'partial_profit', 'partial_loss', 'closed:take_profit', 'closed:stop_loss', 'closed:time_expired', 'cancelled:timeout']),
    );
    expect(events.filter((e) => e.action === 'error')).toEqual([]);

    // Everything the node processed is in the store's candle cache: the warm-up (history before `since`) and the
    // live candles. Replay exactly that through a backtest whose lanes start where the live lanes started.
    const recorded: Record<string, Candle[]> = {};
    for (const symbol of SYMBOLS) {
      recorded[symbol] = [...t.store.candles.readCandles(symbol, '1m', at(-config.historyCandles), at(END))];
      expect(recorded[symbol]).toEqual(s.closedCandles(symbol, at(-config.historyCandles), at(END)));
      expect(t.store.candles.missingRanges(symbol, '1m', at(-config.historyCandles), at(END))).toEqual([]);
    }
    const replayed = await collect(
      backtest({
        source: replayCandles(recorded),
        strategies,
        config: { ...config, emitActive: true },
        lanes: { restore: () => ({ state: IDLE_STATE, lastTimestamp: at(-1) }) },
      }),
    );
    expect(events).toEqual(replayed);
  });

  it('serves a restart’s warm-up from the candle cache: the exchange is asked only for what is new', async () => {
    const s = await server(closedBefore(200));
    const t = await store();
    const first = startLive(s, t.store, { since: at(0) });
    await first.processed(199);
    await first.finish();
    const asked = s.klineRequests().length;
    s.now = SETTLED;
    const second = startLive(s, t.store);
    await second.processed(END - 1);
    await second.finish();
    const later = s.klineRequests().slice(asked);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) expect(Number(r.query.startTime)).toBeGreaterThanOrEqual(at(200));
  });

  it('re-delivers the last checkpoint’s events first after a restart, with their ids, and duplicates nothing else', async () => {
    const s = await server(closedBefore(200));
    const t = await store();
    const first = startLive(s, t.store, { since: at(0) });
    await first.processed(199);
    const before = await first.finish();
    const outbox = t.store.checkpoints().flatMap((c) => c.checkpoint.events);
    expect(outbox.length).toBeGreaterThan(0);
    s.now = SETTLED;
    const second = startLive(s, t.store);
    await second.processed(END - 1);
    const after = await second.finish();
    expect(after.slice(0, outbox.length)).toEqual(outbox);
    const seen = new Set(before.map((e) => e.eventId));
    expect(after.slice(outbox.length).filter((e) => seen.has(e.eventId))).toEqual([]);

    // The two runs together: exactly an uninterrupted run's events.
    const t2 = await store();
    const whole = startLive(s, t2.store, { since: at(0) });
    await whole.processed(END - 1);
    const uninterrupted = await whole.finish();
    const byId = new Map([...before, ...after].map((e) => [e.eventId, e]));
    expect([...byId.values()]).toHaveLength(uninterrupted.length);
    for (const e of uninterrupted) expect(byId.get(e.eventId)).toEqual(e);
  });

  it('drain: stops asking strategies, monitors open signals until they resolve, then completes', async () => {
    const s = await server(closedBefore(100));
    const t = await store();
    const run = startLive(s, t.store, { since: at(0) });
    await run.processed(99);
    expect(run.monitor.busyLanes).toBeGreaterThan(0);
    const held = new Set(t.store.checkpoints().flatMap((c) => (c.checkpoint.state.signal ? [(c.checkpoint.state.signal as { id: string }).id] : [])));
    run.stop.next('drain');
    expect(run.monitor.phase).toBe('draining');
    const count = run.events.length;
    s.now = SETTLED;
    await run.done;
    const later = run.events.slice(count);
    // Only the signals held at the stop went on (activations and closes); no new signal was created.
    for (const e of later) if ('signal' in e) expect(held).toContain(e.signal.id);
    expect(later.filter((e) => e.action === 'closed' || e.action === 'cancelled').length).toBe(held.size);
    expect(openLanes(t.store)).toBe(0);
    expect(run.monitor.phase).toBe('stopped');
  });

  it('detach: completes at once leaving open signals in the store; the next start resolves them as if never stopped', async () => {
    const s = await server(closedBefore(100));
    const t = await store();
    const run = startLive(s, t.store, { since: at(0) });
    await run.processed(99);
    const before = await run.finish('detach');
    expect(openLanes(t.store)).toBeGreaterThan(0);
    // The last checkpoint records how far every lane got: nothing is re-run on the next start.
    for (const c of t.store.checkpoints()) expect(c.checkpoint.lastTimestamp).toBe(at(99));
    s.now = SETTLED;
    const again = startLive(s, t.store);
    await again.processed(END - 1);
    const after = await again.finish();

    const t2 = await store();
    const whole = startLive(s, t2.store, { since: at(0) });
    await whole.processed(END - 1);
    const uninterrupted = await whole.finish();
    const byId = new Map([...before, ...after].map((e) => [e.eventId, e]));
    expect([...byId.keys()].sort()).toEqual(uninterrupted.map((e) => e.eventId).sort());
  });

  it('judges signals with the risk gate across symbols, and a crashed node resumes with the same portfolio', async () => {
    const s = await server(closedBefore(150));
    const risk = { name: 'one-at-a-time', maxConcurrentPositions: 1 };
    const t = await store();
    const first = startLive(s, t.store, { since: at(0), strategies: [trend], risk });
    await first.processed(149);
    const before = first.kill();
    s.now = SETTLED;
    const second = startLive(s, t.store, { strategies: [trend], risk });
    await second.processed(END - 1);
    const after = await second.finish();

    const t2 = await store();
    const whole = startLive(s, t2.store, { since: at(0), strategies: [trend], risk });
    await whole.processed(END - 1);
    const uninterrupted = await whole.finish();
    expect(uninterrupted.filter((e) => e.action === 'risk').length).toBeGreaterThan(5);
    // A request to the exchange that timed out under load is reported (strategy `*`) and retried: not a trading event.
    const trading = (events: readonly SignalEvent[]) => events.filter((e) => e.strategy !== '*');
    const byId = new Map(trading([...before, ...after]).map((e) => [e.eventId, e]));
    expect([...byId.keys()].sort()).toEqual(trading(uninterrupted).map((e) => e.eventId).sort());
    for (const e of trading(uninterrupted)) expect(byId.get(e.eventId)).toEqual(e);
    // Never two positions open at once, across both symbols.
    let open = 0;
    for (const e of uninterrupted) {
      if (e.action === 'opened') open++;
      if (e.action === 'closed') open--;
      expect(open).toBeLessThanOrEqual(1);
    }
  });

  it('a strategy that throws is an error event; the node and the other lanes go on', async () => {
    const s = await server(closedBefore(60));
    const t = await store();
    const flaky: Strategy = {
      name: 'flaky',
      interval: '15m',
      getSignal: () => {
        throw new Error('model not loaded');
      },
    };
    const run = startLive(s, t.store, { since: at(0), strategies: [flaky, trend] });
    await run.processed(59);
    const events = await run.finish();
    const errors = events.filter((e) => e.action === 'error');
    expect(errors.map((e) => e.now)).toEqual(
      [15, 15, 30, 30, 45, 45, 60, 60].map((m) => at(m)),
    );
    expect(errors[0]).toMatchObject({ strategy: 'flaky', symbol: 'BTC/USDT' });
    expect(errors[0]!.action === 'error' && errors[0]!.message).toMatch(/strategy 'flaky' on BTC\/USDT at 2024-01-01T00:15:00.000Z: getSignal threw: model not loaded/);
    expect(events.some((e) => e.strategy === 'trend' && e.action === 'opened')).toBe(true);
    expect(run.monitor.status().errors).toBe(errors.length);
  });

  it('a clock that answers something other than a time at start is reported and asked again, never taken as now', async () => {
    const s = await server(closedBefore(60));
    const t = await store();
    const answers: number[] = [Number.NaN, -1];
    const run = startLive(s, t.store, { since: at(0), clock: () => answers.shift() ?? s.now });
    await run.processed(59);
    const events = await run.finish();
    const clockErrors = events.filter((e) => e.action === 'error' && /clock: expected epoch ms/.test(e.message));
    expect(clockErrors.map((e) => e.action === 'error' && e.message.match(/got ([^;\s]+)/)?.[1])).toEqual(['NaN', '-1']);
    expect(answers).toEqual([]);
    expect(events.some((e) => e.action === 'opened')).toBe(true);
  });

  it('counts what it did for health checks and metrics', async () => {
    const s = await server(closedBefore(60));
    const t = await store();
    let clock = at(60) + 90_000;
    const monitor = new LiveMonitor({ now: () => clock });
    const run = startLive(s, t.store, { since: at(0), monitor });
    await run.processed(59);
    clock += 30_000;
    const status = monitor.status();
    expect(status).toMatchObject({
      phase: 'running',
      candlesProcessed: 120,
      warmupCandles: 2 * config.historyCandles,
      errors: 0,
      symbols: {
        'BTC/USDT': { candles: 60, lastCandle: at(59), lastCandleAgeSeconds: 120 },
        'ETH/USDT': { candles: 60, lastCandle: at(59), lastCandleAgeSeconds: 120 },
      },
    });
    const events = run.events;
    expect(status.events.opened).toBe(events.filter((e) => e.action === 'opened').length);
    expect(status.openPositions + status.scheduledSignals).toBe(openLanes(t.store));
    await run.finish();
    expect(monitor.phase).toBe('stopped');
  });

  it('reports a symbol the exchange does not list and goes on with the others; ends when none is left', async () => {
    const s = await server(closedBefore(60));
    const t = await store();
    const run = startLive(s, t.store, { since: at(0), symbols: ['BTC/USDT', 'XRP/USDT'] });
    await waitFor(() => (run.monitor.status().symbols['BTC/USDT']?.lastCandle ?? -1) >= at(59), 'BTC/USDT processed to minute 59');
    const refused = run.events.filter((e) => e.action === 'error' && e.symbol === 'XRP/USDT');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.action === 'error' && /XRP\/USDT .*BadSymbol.*giving up$/.test(e.message))).toBe(true);
    await run.finish();
    const alone = startLive(s, (await store()).store, { since: at(0), symbols: ['XRP/USDT'] });
    await expect(alone.done).rejects.toThrow(/XRP\/USDT/);
    expect(alone.monitor.phase).toBe('stopped');
  });

  it('rejects bad options naming them, and closeAtEnd', () => {
    const store = { writeCheckpoint() {}, readCheckpoint() {}, checkpoints: () => [], candles: {} };
    const base = { exchange: { fetchOHLCV: async () => [] }, symbols: ['BTC/USDT'], strategies: [trend], store };
    expect(() => live({ ...base, symbols: [] } as never)).toThrow(/'symbols'/);
    expect(() => live({ ...base, pollMs: 0 } as never)).toThrow(/'pollMs'/);
    expect(() => live({ ...base, exchange: {} } as never)).toThrow(/'exchange': expected a ccxt exchange/);
    expect(() => live({ ...base, strategies: [{ name: 'x' }] } as never)).toThrow(/strategies\[0\] is not a valid strategy/);
    expect(() => live({ ...base, stategies: [] } as never)).toThrow(/unknown key\(s\) 'stategies'/);
    expect(() => live({ ...base, store: {} } as never)).toThrow(/'store': expected a store/);
    expect(() => live({ ...base, config: { closeAtEnd: true } } as never)).toThrow(/closeAtEnd/);
    expect(() => live({ ...base, config: { feePercnt: 1 } } as never)).toThrow(/unknown key\(s\) 'feePercnt'/);
  });
});

