import type { SymbolCandle } from './candle.js';
import type { Config } from './config.js';
import type { SignalEvent } from './events.js';
import { INTERVAL_MS } from './intervals.js';
import { equityOf, closeStake, newAccount, openStake, type AccountState } from './account.js';
import type { MoneyConfig } from './money-config.js';
import { PortfolioStatsAccumulator, type PortfolioStatistics } from './portfolio-stats.js';
import { isoTime } from './time.js';

/*
 * The account over a run: candles mark positions, `opened` / `closed` events move cash, and after every instant the
 * equity is one point of the curve and of the statistics. Input is the engine's own values, candles and events
 * interleaved in time order, with no wrapper: each already carries its instant (a candle closes at timestamp +
 * interval, an event happens at `now`) and a wrapper object per candle would be an allocation on the hot path.
 */

/** A closed candle or a lane event, in time order; at one instant the candles come before the events they caused. */
export type AccountInput = SymbolCandle | SignalEvent;

export type AccountOutput =
  /** The account after everything at `time` (one per instant, or the last of each downsampling bucket). */
  | { readonly kind: 'equity'; readonly time: number; readonly equity: number; readonly cash: number; readonly openPositions: number }
  | { readonly kind: 'opened'; readonly time: number; readonly symbol: string; readonly strategy: string; readonly signalId: string; readonly stake: number; readonly cash: number }
  /** The stake was larger than free cash, or not positive: the account holds nothing for this signal. */
  | {
      readonly kind: 'rejected';
      readonly time: number;
      readonly symbol: string;
      readonly strategy: string;
      readonly signalId: string;
      readonly stake: number;
      readonly cash: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'closed';
      readonly time: number;
      readonly symbol: string;
      readonly strategy: string;
      readonly signalId: string;
      readonly stake: number;
      readonly profit: number;
      readonly fees: number;
      readonly cash: number;
    }
  | { readonly kind: 'stats'; readonly stats: PortfolioStatistics };

export interface EquityOptions {
  readonly money: MoneyConfig;
  readonly config: Pick<Config, 'feePercent' | 'slippagePercent'>;
  /**
   * Downsample the emitted curve: only the last point of every bucket of this many ms (aligned to the epoch). The
   * statistics always see every point.
   */
  readonly everyMs?: number;
}

function isCandle(item: AccountInput): item is SymbolCandle {
  return (item as { candle?: unknown }).candle !== undefined;
}

/**
 * The account's step machine: feed it candles and events with {@link EquityTracker.step}, then
 * {@link EquityTracker.finish}. Outputs go to `emit` as they happen. Memory: one record per open position, one latest
 * close per symbol and the statistics' running sums.
 */
export class EquityTracker {
  private account: AccountState;
  private readonly closes = new Map<string, number>();
  private readonly stats: PortfolioStatsAccumulator;
  private readonly everyMs: number;
  /** The instant being accumulated; its point is emitted once a later instant (or the end) arrives. */
  private instant = -Infinity;
  private spanStart: number | null = null;
  private spanEnd: number | null = null;
  private openSince = 0;
  private exposureMs = 0;
  private pending: Extract<AccountOutput, { kind: 'equity' }> | null = null;
  private finished = false;

  constructor(
    private readonly options: EquityOptions,
    private readonly emit: (output: AccountOutput) => void,
  ) {
    this.account = newAccount(options.money.balance);
    this.stats = new PortfolioStatsAccumulator(options.money.balance);
    this.everyMs = options.everyMs ?? 0;
    if (!(this.everyMs >= 0)) throw new RangeError(`account: everyMs must be ≥ 0 (0 keeps every point), got ${String(options.everyMs)}`);
  }

  get state(): AccountState {
    return this.account;
  }

  step(item: AccountInput): void {
    if (isCandle(item)) {
      const { candle } = item;
      const close = candle.timestamp + INTERVAL_MS[item.interval];
      this.advance(close, item.symbol);
      if (this.spanStart === null || candle.timestamp < this.spanStart) this.spanStart = candle.timestamp;
      if (this.spanEnd === null || close > this.spanEnd) this.spanEnd = close;
      this.closes.set(item.symbol, candle.close);
      return;
    }
    if (item.action === 'opened') {
      this.advance(item.now, item.symbol);
      const { signal } = item;
      const ref = { symbol: item.symbol, strategy: item.strategy, signalId: signal.id };
      const equity = equityOf(this.account, this.closes, this.options.config);
      const request = { ...ref, position: signal.position, priceOpen: signal.priceOpen, priceStopLoss: signal.priceStopLoss };
      const result = openStake(this.account, request, this.options.money.stake, equity);
      if (!result.accepted) {
        this.emit({ kind: 'rejected', time: item.now, ...ref, stake: result.stake, cash: this.account.cash, reason: result.reason });
        return;
      }
      if (this.account.positions.size === 0) this.openSince = item.now;
      this.account = result.state;
      this.emit({ kind: 'opened', time: item.now, ...ref, stake: result.stake, cash: this.account.cash });
    } else if (item.action === 'closed') {
      this.advance(item.now, item.symbol);
      const ref = { symbol: item.symbol, strategy: item.strategy, signalId: item.signal.id };
      const result = closeStake(this.account, ref, item.pnl.pnlPercentage, this.options.config);
      if (!result.held) return;
      this.account = result.state;
      if (this.account.positions.size === 0) this.exposureMs += item.now - this.openSince;
      this.emit({ kind: 'closed', time: item.now, ...ref, stake: result.stake, profit: result.profit, fees: result.fees, cash: this.account.cash });
    }
  }

  /** Ends the run: the last point, then the statistics. */
  finish(): PortfolioStatistics {
    if (this.finished) throw new Error('account: finish() was already called');
    this.finished = true;
    if (this.instant !== -Infinity) this.record(this.instant);
    if (this.pending !== null) this.emit(this.pending);
    let exposureMs = this.exposureMs;
    if (this.account.positions.size > 0) exposureMs += Math.max(0, (this.spanEnd ?? this.instant) - this.openSince);
    const stats = this.stats.result({ spanStart: this.spanStart, spanEnd: this.spanEnd, exposureMs, feesPaid: this.account.feesPaid });
    this.emit({ kind: 'stats', stats });
    return stats;
  }

  /** Moves the clock to `time`, closing the previous instant; time never goes back. */
  private advance(time: number, symbol: string): void {
    if (time === this.instant) return;
    if (this.finished) throw new Error('account: step() after finish()');
    if (time < this.instant) {
      throw new RangeError(
        `account: ${symbol} at ${isoTime(time)} arrived after ${isoTime(this.instant)}: candles and events must come in time order`,
      );
    }
    if (this.instant !== -Infinity) this.record(this.instant);
    this.instant = time;
  }

  private record(time: number): void {
    const equity = equityOf(this.account, this.closes, this.options.config);
    this.stats.add(time, equity);
    const point = { kind: 'equity', time, equity, cash: this.account.cash, openPositions: this.account.positions.size } as const;
    if (this.everyMs === 0) {
      this.emit(point);
      return;
    }
    if (this.pending !== null && Math.floor(this.pending.time / this.everyMs) !== Math.floor(time / this.everyMs)) this.emit(this.pending);
    this.pending = point;
  }
}

/**
 * The plain-function form: runs the account over candles and events already in time order and returns the statistics;
 * `onOutput` sees every output as it happens (the curve is streamed, never collected).
 *
 * @example
 * ```ts
 * const stats = accountOver(items, { money: resolveMoneyConfig({ stake: 1000 }), config }, (o) => o.kind === 'equity' && plot(o));
 * ```
 */
export function accountOver(
  items: Iterable<AccountInput>,
  options: EquityOptions,
  onOutput: (output: AccountOutput) => void = () => {},
): PortfolioStatistics {
  const tracker = new EquityTracker(options, onOutput);
  for (const item of items) tracker.step(item);
  return tracker.finish();
}
