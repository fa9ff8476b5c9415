import { z } from 'zod';
import type { SymbolCandle } from './candle.js';
import type { Config } from './config.js';
import type { SignalEvent } from './events.js';
import { INTERVAL_MS } from './intervals.js';
import {
  partialCloseStake,
  type PartialCloseResult,
  closeStake,
  laneKey,
  newAccount,
  openStake,
  type AccountState,
  type CloseResult,
  type OpenRequest,
  type OpenResult,
  type SignalRef,
} from './account.js';
import { MarkedPosition, type Mark } from './marked-position.js';
import type { MoneyConfig } from './money-config.js';
import { PortfolioStatsAccumulator, PortfolioStatsSnapshotSchema, type PortfolioStatistics } from './portfolio-stats.js';
import { PositionSchema } from './signal.js';
import { isoTime } from './time.js';
import { parseOrThrow } from './problems.js';

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
  /** Emit `equity` points (default true); without, the tracker only keeps the statistics and allocates nothing per instant. */
  readonly curve?: boolean;
  /**
   * What an item older than the account's clock means: `throw` (default; a backtest is in time order, anything else
   * is a bug) or `clamp` (a live node, whose lanes answer in their own time: the item counts at the current instant,
   * and a candle older than its symbol's latest mark does not change the mark).
   */
  readonly late?: 'throw' | 'clamp';
}

const finite = z.number().finite();

/**
 * Everything the account needs to continue after a restart exactly as if uninterrupted (a live node's checkpoint):
 * cash and open stakes, the latest close per symbol, the statistics' sums, the clock. JSON-safe.
 */
export const EquitySnapshotSchema = z.strictObject({
  cash: finite.nonnegative(),
  feesPaid: finite.nonnegative(),
  positions: z.array(
    z.strictObject({
      symbol: z.string().min(1),
      strategy: z.string().min(1),
      signalId: z.string().min(1),
      position: PositionSchema,
      priceOpen: finite.positive(),
      stake: finite.positive(),
      leverage: z.number().int().min(2).max(125).optional(),
      original: finite.positive().optional(),
      returned: finite.nonnegative().optional(),
    }),
  ),
  closes: z.record(z.string(), finite.positive()),
  stats: PortfolioStatsSnapshotSchema,
  /** The instant being accumulated (its point not yet emitted); null before the first item. */
  instant: z.number().int().nullable(),
  spanStart: z.number().int().nullable(),
  spanEnd: z.number().int().nullable(),
  openSince: finite,
  exposureMs: finite.nonnegative(),
  /** The downsampled point held back for its bucket. */
  pending: z
    .strictObject({ kind: z.literal('equity'), time: z.number().int(), equity: finite, cash: finite, openPositions: z.number().int().nonnegative() })
    .nullable(),
});
export type EquitySnapshot = z.infer<typeof EquitySnapshotSchema>;

function orNull(x: number): number | null {
  return x === x ? x : null;
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
  private readonly closes = new Map<string, Mark>();
  /** The slot of the symbol marked last: one symbol's candles in a row skip the map. */
  private lastSymbol = '';
  private lastMark: Mark | undefined = undefined;
  private markedFor: AccountState['positions'] | null = null;
  private markedList: readonly MarkedPosition[] = [];
  private readonly stats: PortfolioStatsAccumulator;
  private readonly everyMs: number;
  /** The instant being accumulated; its point is emitted once a later instant (or the end) arrives. */
  private instant = -Infinity;
  /** NaN before the first candle: a field that only ever holds numbers stays unboxed (no allocation per candle). */
  private spanStart = Number.NaN;
  private spanEnd = Number.NaN;
  private openSince = 0;
  private exposureMs = 0;
  /** The downsampled point held back for its bucket, as fields: recording a point allocates nothing. */
  private pendingTime = Number.NaN;
  private pendingEquity = 0;
  private pendingCash = 0;
  private pendingOpen = 0;
  private readonly curve: boolean;
  private readonly clamp: boolean;
  private finished = false;

  /** `snapshot`: continue from a checkpoint taken with {@link EquityTracker.snapshot} under the same money config. */
  constructor(
    private readonly options: EquityOptions,
    private readonly emit: (output: AccountOutput) => void,
    snapshot?: EquitySnapshot,
  ) {
    this.everyMs = options.everyMs ?? 0;
    this.curve = options.curve ?? true;
    this.clamp = options.late === 'clamp';
    if (!(this.everyMs >= 0)) throw new RangeError(`account: everyMs must be ≥ 0 (0 keeps every point), got ${String(options.everyMs)}`);
    if (snapshot === undefined) {
      this.account = newAccount(options.money.balance);
      this.stats = new PortfolioStatsAccumulator(options.money.balance);
      return;
    }
    const s = parseOrThrow(EquitySnapshotSchema, snapshot, 'account checkpoint', (line) => new Error(line));
    if (s.stats.balance !== options.money.balance) {
      throw new Error(`account checkpoint: it was taken with balance ${s.stats.balance}, the config says ${options.money.balance}`);
    }
    this.account = {
      cash: s.cash,
      feesPaid: s.feesPaid,
      positions: new Map(s.positions.map((p) => [laneKey(p), p])),
    };
    for (const [symbol, close] of Object.entries(s.closes)) this.closes.set(symbol, { close, at: -Infinity });
    this.stats = PortfolioStatsAccumulator.restore(s.stats);
    this.instant = s.instant ?? -Infinity;
    this.spanStart = s.spanStart ?? Number.NaN;
    this.spanEnd = s.spanEnd ?? Number.NaN;
    this.openSince = s.openSince;
    this.exposureMs = s.exposureMs;
    if (s.pending !== null) {
      this.pendingTime = s.pending.time;
      this.pendingEquity = s.pending.equity;
      this.pendingCash = s.pending.cash;
      this.pendingOpen = s.pending.openPositions;
    }
  }

  /** The account's whole state between two items, for a checkpoint; restore it with the constructor. */
  snapshot(): EquitySnapshot {
    return {
      cash: this.account.cash,
      feesPaid: this.account.feesPaid,
      positions: [...this.account.positions.values()].map((p) => ({ ...p })),
      closes: Object.fromEntries([...this.closes].filter(([, mark]) => mark.close === mark.close).map(([symbol, mark]) => [symbol, mark.close])),
      stats: this.stats.snapshot(),
      instant: this.instant === -Infinity ? null : this.instant,
      spanStart: orNull(this.spanStart),
      spanEnd: orNull(this.spanEnd),
      openSince: this.openSince,
      exposureMs: this.exposureMs,
      pending: this.pendingPoint(),
    };
  }

  /** The instant being accumulated (-Infinity before the first item). */
  get clock(): number {
    return this.instant;
  }

  get state(): AccountState {
    return this.account;
  }

  /** Free cash plus every open position marked to its symbol's latest close (its stake before any close). */
  get equity(): number {
    const marked = this.marked();
    let equity = this.account.cash;
    for (let i = 0; i < marked.length; i++) equity += marked[i]!.worth();
    return equity;
  }

  /** The open positions with their symbol's mark, rebuilt only when a position opens or closes (not per instant). */
  private marked(): readonly MarkedPosition[] {
    if (this.markedFor === this.account.positions) return this.markedList;
    const costs = this.options.config;
    this.markedList = [...this.account.positions.values()].map((position) => new MarkedPosition(position, this.markOf(position.symbol), costs));
    this.markedFor = this.account.positions;
    return this.markedList;
  }

  /** The symbol's mark slot; NaN until its first close. */
  private markOf(symbol: string): Mark {
    let mark = this.closes.get(symbol);
    if (mark === undefined) {
      mark = { close: Number.NaN, at: -Infinity };
      this.closes.set(symbol, mark);
    }
    return mark;
  }

  /**
   * A closed candle of `symbol` (open `timestamp`, closing at `now`) marks its open positions: the engine's per-candle
   * call, allocating nothing once the symbol has been seen.
   */
  mark(symbol: string, timestamp: number, now: number, close: number): void {
    this.advance(now, symbol);
    if (!(timestamp >= this.spanStart)) this.spanStart = timestamp;
    if (!(now <= this.spanEnd)) this.spanEnd = now;
    let mark = this.lastMark;
    if (symbol !== this.lastSymbol || mark === undefined) {
      mark = this.closes.get(symbol);
      if (mark === undefined) {
        mark = { close: Number.NaN, at: -Infinity };
        this.closes.set(symbol, mark);
      }
      this.lastSymbol = symbol;
      this.lastMark = mark;
    }
    if (timestamp >= mark.at || mark.close !== mark.close) {
      mark.close = close;
      mark.at = timestamp;
    }
  }

  step(item: AccountInput): void {
    if (isCandle(item)) {
      const { candle } = item;
      this.mark(item.symbol, candle.timestamp, candle.timestamp + INTERVAL_MS[item.interval], candle.close);
      return;
    }
    if (item.action === 'opened') {
      const { signal } = item;
      this.open({
        now: item.now,
        symbol: item.symbol,
        strategy: item.strategy,
        signalId: signal.id,
        position: signal.position,
        priceOpen: signal.priceOpen,
        priceStopLoss: signal.priceStopLoss,
        ...(signal.leverage === undefined ? {} : { leverage: signal.leverage }),
      });
    } else if (item.action === 'closed') {
      this.close({ now: item.now, symbol: item.symbol, strategy: item.strategy, signalId: item.signal.id }, item.pnl.pnlPercentage);
    } else if (item.action === 'partial_closed') {
      this.partialClose({ now: item.now, symbol: item.symbol, strategy: item.strategy, signalId: item.signal.id }, item.fraction, item.pnlPercentage);
    }
  }

  /** Returns a part of this signal's position to cash with its profit (SEMANTICS §13), if the account holds it. */
  partialClose(ref: SignalRef & { readonly now: number }, fraction: number, pnlPercentage: number): PartialCloseResult {
    this.advance(ref.now, ref.symbol);
    const signal = { symbol: ref.symbol, strategy: ref.strategy, signalId: ref.signalId };
    const result = partialCloseStake(this.account, signal, fraction, pnlPercentage, this.options.config);
    if (result.held) this.account = result.state;
    return result;
  }

  /**
   * Opens a position at `now` with the stake the money config gives at this instant's equity, or rejects it
   * (`insufficient balance`). A risk gate can call this directly, before the `opened` event exists; the account is
   * then fed candles and `closed` events only, so it never opens twice.
   */
  open(request: OpenRequest & { readonly now: number }): OpenResult {
    this.advance(request.now, request.symbol);
    const ref = { symbol: request.symbol, strategy: request.strategy, signalId: request.signalId };
    const equity = this.equity;
    const result = openStake(this.account, request, this.options.money.stake, equity);
    if (!result.accepted) {
      this.emit({ kind: 'rejected', time: request.now, ...ref, stake: result.stake, cash: this.account.cash, reason: result.reason });
      return result;
    }
    if (this.account.positions.size === 0) this.openSince = request.now;
    this.account = result.state;
    this.emit({ kind: 'opened', time: request.now, ...ref, stake: result.stake, cash: this.account.cash });
    return result;
  }

  /** Closes the position of this signal with its §7 pnl, if the account holds it. */
  close(ref: SignalRef & { readonly now: number }, pnlPercentage: number): CloseResult {
    this.advance(ref.now, ref.symbol);
    const signal = { symbol: ref.symbol, strategy: ref.strategy, signalId: ref.signalId };
    const result = closeStake(this.account, signal, pnlPercentage, this.options.config);
    if (!result.held) return result;
    this.account = result.state;
    if (this.account.positions.size === 0) this.exposureMs += ref.now - this.openSince;
    this.emit({ kind: 'closed', time: ref.now, ...signal, stake: result.stake, profit: result.profit, fees: result.fees, cash: this.account.cash });
    return result;
  }

  /** Ends the run: the last point, then the statistics. */
  finish(): PortfolioStatistics {
    if (this.finished) throw new Error('account: finish() was already called');
    this.finished = true;
    if (this.instant !== -Infinity) this.record(this.instant);
    const pending = this.pendingPoint();
    if (pending !== null) this.emit(pending);
    let exposureMs = this.exposureMs;
    const spanEnd = orNull(this.spanEnd);
    if (this.account.positions.size > 0) exposureMs += Math.max(0, (spanEnd ?? this.instant) - this.openSince);
    const stats = this.stats.result({ spanStart: orNull(this.spanStart), spanEnd, exposureMs, feesPaid: this.account.feesPaid });
    this.emit({ kind: 'stats', stats });
    return stats;
  }

  /** Moves the clock to `time`, closing the previous instant; time never goes back. */
  private advance(time: number, symbol: string): void {
    if (time === this.instant) return;
    if (this.finished) throw new Error('account: step() after finish()');
    if (!Number.isFinite(time)) {
      throw new RangeError(`account: ${symbol}: an instant of ${String(time)} (expected a candle with a known interval, or an event with a finite now)`);
    }
    if (time < this.instant) {
      if (this.clamp) return;
      throw new RangeError(
        `account: ${symbol} at ${isoTime(time)} arrived after ${isoTime(this.instant)}: candles and events must come in time order`,
      );
    }
    if (this.instant !== -Infinity) this.record(this.instant);
    this.instant = time;
  }

  private pendingPoint(): Extract<AccountOutput, { kind: 'equity' }> | null {
    if (this.pendingTime !== this.pendingTime) return null;
    return { kind: 'equity', time: this.pendingTime, equity: this.pendingEquity, cash: this.pendingCash, openPositions: this.pendingOpen };
  }

  private record(time: number): void {
    // The equity getter's sum, in its order, inline: a getter's double result would be boxed on every instant.
    const positions = this.account.positions;
    let equity = this.account.cash;
    if (positions.size !== 0) {
      const marked = this.markedFor === positions ? this.markedList : this.marked();
      for (let i = 0; i < marked.length; i++) equity += marked[i]!.worth();
    }
    this.stats.add(time, equity);
    if (!this.curve) return;
    const cash = this.account.cash;
    const open = this.account.positions.size;
    if (this.everyMs === 0) {
      this.emit({ kind: 'equity', time, equity, cash, openPositions: open });
      return;
    }
    if (this.pendingTime === this.pendingTime && Math.floor(this.pendingTime / this.everyMs) !== Math.floor(time / this.everyMs)) {
      this.emit(this.pendingPoint()!);
    }
    this.pendingTime = time;
    this.pendingEquity = equity;
    this.pendingCash = cash;
    this.pendingOpen = open;
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
