import type { EventAction, SignalEvent } from '../core/events.js';
import type { LaneState } from '../core/lane.js';
import { nextPhase, type NodeEvent } from './node-states.js';

/** Where a live node is in its life: a state of the node's state machine (see `node-states.ts`). */
export type LivePhase = 'starting' | 'warming-up' | 'running' | 'draining' | 'stopped';

/** One symbol as the node sees it. */
export interface SymbolStatus {
  /** Closed candles the lanes were handed (warm-up excluded; candles re-run after a restart included). */
  readonly candles: number;
  /** Open time of the newest candle processed (before a restart too); null before the first. */
  readonly lastCandle: number | null;
  /** Seconds since that candle closed, by the node's own clock; null before the first. */
  readonly lastCandleAgeSeconds: number | null;
}

/** What `/healthz` answers: a JSON snapshot of {@link LiveMonitor}. */
export interface LiveStatus {
  readonly phase: LivePhase;
  readonly uptimeSeconds: number;
  readonly candlesProcessed: number;
  readonly warmupCandles: number;
  readonly symbols: Readonly<Record<string, SymbolStatus>>;
  readonly events: Readonly<Partial<Record<EventAction, number>>>;
  readonly openPositions: number;
  readonly scheduledSignals: number;
  readonly errors: number;
  readonly lastError: string | null;
  /** Candles the exchange sent twice (dropped: the first wins). */
  readonly duplicateCandles: number;
  /** The run's account (SEMANTICS §12): equity marked to the latest closes, and free cash; null before the node runs. */
  readonly account: { readonly equity: number; readonly cash: number } | null;
}

type Held = 'scheduled' | 'opened';

/**
 * The counters and gauges of a live node: what it processed, released and holds. A plain value the caller creates
 * and passes to `live({ monitor })`; the pipeline updates it, an HTTP endpoint (or a test) reads it. Timing
 * figures use the node's own clock (`now`, default `Date.now`): they are operational metrics, never inputs to a
 * trading decision.
 *
 * @example
 * ```ts
 * const monitor = new LiveMonitor();
 * live({ exchange, symbols, strategies, store, monitor }).subscribe();
 * setInterval(() => console.log(monitor.status().candlesProcessed), 60_000);
 * ```
 */
export class LiveMonitor {
  private phaseNow: LivePhase = 'starting';
  private readonly startedAt: number;
  private processed = 0;
  private warmup = 0;
  private readonly perSymbol = new Map<string, { candles: number; last: number | null }>();
  private readonly byAction = new Map<EventAction, number>();
  private errorCount = 0;
  private duplicates = 0;
  private account: { readonly equity: number; readonly state: { readonly cash: number } } | null = null;
  private lastErrorText: string | null = null;
  /** Lanes holding a signal, by `strategy|symbol`. */
  private readonly held = new Map<string, Held>();
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private stepMs = 60_000;

  constructor(options: { readonly now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  get phase(): LivePhase {
    return this.phaseNow;
  }

  /** Lanes holding an open position. */
  get openPositions(): number {
    let n = 0;
    for (const v of this.held.values()) if (v === 'opened') n++;
    return n;
  }

  /** Lanes holding a scheduled (not yet filled) signal. */
  get scheduledSignals(): number {
    return this.held.size - this.openPositions;
  }

  /** Lanes holding any signal: what a draining node waits for. */
  get busyLanes(): number {
    return this.held.size;
  }

  /** Told whenever the phase changes or a lane lets go of its signal. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal The node's state machine moves on (`node-states.ts`); an impossible move throws. */
  move(event: NodeEvent): void {
    const phase = nextPhase(this.phaseNow, event);
    if (this.phaseNow === phase) return;
    this.phaseNow = phase;
    this.changed();
  }

  /** @internal A restored lane's state (at start, before any candle). */
  restoreLane(strategy: string, symbol: string, state: LaneState): void {
    const key = `${strategy}|${symbol}`;
    if (state.signal === null) this.held.delete(key);
    else this.held.set(key, state.signal.pendingAt === null ? 'scheduled' : 'opened');
  }

  /** @internal Where a symbol resumes: its last candle is the one its least advanced lane processed before. */
  resumeAfter(symbol: string, timestamp: number): void {
    const s = this.perSymbol.get(symbol);
    if (s === undefined) this.perSymbol.set(symbol, { candles: 0, last: timestamp });
    else if (s.last === null || s.last < timestamp) s.last = timestamp;
  }

  /** @internal A candle handed to the lanes (`warmup`: only recorded in the price history). */
  candle(symbol: string, timestamp: number, warmup: boolean): void {
    if (warmup) {
      this.warmup++;
      return;
    }
    this.processed++;
    let s = this.perSymbol.get(symbol);
    if (s === undefined) {
      s = { candles: 0, last: null };
      this.perSymbol.set(symbol, s);
    }
    s.candles++;
    s.last = timestamp;
  }

  /** @internal A candle the exchange sent again, dropped at the source. */
  /** The account the node trades from, read at every status. */
  watchAccount(account: { readonly equity: number; readonly state: { readonly cash: number } }): void {
    this.account = account;
  }

  duplicate(): void {
    this.duplicates++;
  }

  /** @internal An event released by the pipeline. */
  event(e: SignalEvent): void {
    this.byAction.set(e.action, (this.byAction.get(e.action) ?? 0) + 1);
    const key = `${e.strategy}|${e.symbol}`;
    switch (e.action) {
      case 'scheduled':
      case 'opened':
        this.held.set(key, e.action);
        break;
      case 'closed':
      case 'cancelled':
        this.held.delete(key);
        this.changed();
        break;
      case 'error':
        this.errorCount++;
        this.lastErrorText = e.message;
        break;
      default:
        break;
    }
  }

  /** @internal The symbols watched and their candles' interval (a candle's age counts from when it closed). */
  watch(symbols: readonly string[], intervalMs: number): void {
    this.stepMs = intervalMs;
    for (const symbol of symbols) if (!this.perSymbol.has(symbol)) this.perSymbol.set(symbol, { candles: 0, last: null });
  }

  /** @internal The symbol moved to another node (a Kafka rebalance): it is no longer watched here. */
  forget(symbol: string): void {
    this.perSymbol.delete(symbol);
    const suffix = `|${symbol}`;
    let released = false;
    for (const key of [...this.held.keys()]) {
      if (key.endsWith(suffix)) released = this.held.delete(key) || released;
    }
    if (released) this.changed();
  }

  /** A JSON-ready snapshot. */
  status(): LiveStatus {
    const now = this.now();
    const intervalMs = this.stepMs;
    const symbols: Record<string, SymbolStatus> = {};
    for (const [symbol, s] of [...this.perSymbol].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      symbols[symbol] = {
        candles: s.candles,
        lastCandle: s.last,
        lastCandleAgeSeconds: s.last === null ? null : Math.max(0, (now - (s.last + intervalMs)) / 1000),
      };
    }
    return {
      phase: this.phaseNow,
      uptimeSeconds: Math.max(0, (now - this.startedAt) / 1000),
      candlesProcessed: this.processed,
      warmupCandles: this.warmup,
      symbols,
      events: Object.fromEntries([...this.byAction].sort(([a], [b]) => (a < b ? -1 : 1))),
      openPositions: this.openPositions,
      scheduledSignals: this.scheduledSignals,
      errors: this.errorCount,
      lastError: this.lastErrorText,
      duplicateCandles: this.duplicates,
      account: this.account === null ? null : { equity: this.account.equity, cash: this.account.state.cash },
    };
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
