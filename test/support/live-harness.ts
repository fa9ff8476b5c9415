/**
 * Running the live pipeline in-process against the local Binance: strategies that exercise every transition on
 * the server's synthetic candles, a market whose data ends at a known minute (so a run has a definite end), and a
 * runner that stops the node once it has processed everything.
 */
import { Subject } from 'rxjs';
import type { Candle } from '../../src/core/candle.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { live, LiveMonitor, type LiveOptions, type StopMode } from '../../src/live.js';
import type { LmdbStore } from '../../src/lmdb.js';
import { syntheticCandle, type BinanceServer, type MarketSpec } from './binance-server.js';
import { waitFor } from './collect.js';
import { trend } from './fixtures.js';

export { trend };

export const MIN = 60_000;
export const T0 = Date.UTC(2024, 0, 1);
export const at = (minute: number) => T0 + minute * MIN;


/** A resting limit below the market every 15 minutes: scheduled, then filled, cancelled or timed out. */
export const dip: Strategy = {
  name: 'dip',
  interval: '15m',
  getSignal: (ctx) => {
    // Reads an hour of 5m history: the warm-up must have loaded it for a restarted node to decide the same.
    const hour = ctx.candles('5m', 12);
    if (hour.length < 12) return null;
    const low = Math.min(...hour.map((c) => c.low));
    return {
      position: 'long',
      priceOpen: Math.max(ctx.price * 0.996, low),
      priceTakeProfit: ctx.price * 1.01,
      priceStopLoss: ctx.price * 0.98,
      minuteEstimatedTime: 60,
    };
  },
};

export const strategies = [trend, dip];
export const config = { scheduleAwaitMinutes: 30, historyCandles: 120 };
export const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

/** The server's synthetic candles up to (not including) minute `end`; nothing after — the data has an end. */
export function finiteMarket(symbol: string, end: number): MarketSpec {
  return { candle: (t: number, ms: number): Candle | null => (t < at(end) ? syntheticCandle(symbol, t, ms) : null) };
}

export function markets(end: number): Record<string, MarketSpec> {
  return Object.fromEntries(SYMBOLS.map((s) => [s, finiteMarket(s, end)]));
}

export interface LiveRun {
  readonly events: SignalEvent[];
  readonly monitor: LiveMonitor;
  readonly stop: Subject<StopMode>;
  /** Resolves when the stream completes; rejects with its error. */
  readonly done: Promise<void>;
  /** Waits until every symbol's lanes have been handed the candle opening at minute `m`. */
  processed(m: number, timeoutMs?: number): Promise<void>;
  /** Stop (`detach` by default) and wait for completion. */
  finish(mode?: StopMode): Promise<SignalEvent[]>;
  /** Unsubscribe without stopping: what a crash leaves behind (no last checkpoint, nothing flushed). */
  kill(): SignalEvent[];
}

/** Starts `live` on the local exchange with the test strategies; the caller stops it. */
export function startLive(server: BinanceServer, store: LmdbStore, extra: Partial<LiveOptions> = {}): LiveRun {
  const monitor = extra.monitor ?? new LiveMonitor();
  const stop = new Subject<StopMode>();
  const events: SignalEvent[] = [];
  let failure: unknown;
  let subscription: { unsubscribe(): void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    subscription = live({
      exchange: server.exchange({ timeout: 300, rateLimit: 1 }),
      symbols: SYMBOLS,
      strategies,
      store,
      config,
      pollMs: 5,
      clock: () => server.now,
      retry: { baseMs: 5, maxMs: 20 },
      pageSize: 100,
      monitor,
      stop,
      ...extra,
    }).subscribe({
      next: (e) => events.push(e),
      error: (err) => {
        failure = err;
        reject(err);
      },
      complete: () => resolve(),
    });
  });
  done.catch(() => undefined);
  const processed = (m: number, timeoutMs = 20_000) =>
    waitFor(
      () => {
        if (failure !== undefined) throw failure;
        const s = monitor.status().symbols;
        return (extra.symbols ?? SYMBOLS).every((sym) => (s[sym]?.lastCandle ?? -1) >= at(m));
      },
      `minute ${m} processed`,
      timeoutMs,
    );
  return {
    events,
    monitor,
    stop,
    done,
    processed,
    finish: async (mode = 'detach') => {
      stop.next(mode);
      await done;
      return events;
    },
    kill: () => {
      subscription?.unsubscribe();
      return events;
    },
  };
}

/** Events other than errors (what must match between runs), keyed by id. */
export function signalEvents(events: readonly SignalEvent[]): SignalEvent[] {
  return events.filter((e) => e.action !== 'error');
}
