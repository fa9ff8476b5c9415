import type { Candle } from '../core/candle.js';
import { CandleHistory } from '../core/history.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import type { Bar } from '../core/lane.js';
import { IndicatorBank } from '../indicators/bank.js';
import type { IndicatorBar } from '../indicators/reader.js';
import { NO_WARMUP, warmupCandles, type IndicatorWarmup } from '../indicators/warmup.js';

export interface AveragePriceOptions {
  /** Candles in the VWAP window (default 5, SEMANTICS §2). */
  readonly avgPriceCandles?: number;
  /** Candles of history kept per symbol for `ctx.candles()` (default 10 080: a week of 1m). */
  readonly historyCandles?: number;
  /** History the strategies' indicators need (see `indicatorWarmup`): each symbol keeps at least that much. */
  readonly indicatorWarmup?: IndicatorWarmup;
}

type ReusableBar = { -readonly [K in keyof IndicatorBar]: IndicatorBar[K] };

interface Entry {
  readonly history: CandleHistory;
  /** The symbol's indicators, fed as each candle enters history (empty unless a strategy declared some). */
  readonly bank: IndicatorBank;
  /** The symbol's last bar, once nothing holds it any more. */
  spare: ReusableBar | null;
}

/**
 * The symbols' bounded histories: turns each closed candle into a {@link Bar} (the clock at its close, the current
 * price). What {@link averagePrice} does per candle, for pipelines that feed lanes without an operator in between.
 */
export class BarBook {
  private readonly histories = new Map<string, Entry>();
  private readonly window: number;
  private readonly capacity: number;
  private readonly warmup: IndicatorWarmup;
  // Runs of the same symbol are the common case (one symbol, or a merge of few): skip the map lookup for them.
  private lastSymbol: string | null = null;
  private lastInterval: string | null = null;
  private last: Entry | null = null;

  constructor(options: AveragePriceOptions = {}) {
    this.window = options.avgPriceCandles ?? 5;
    this.capacity = Math.max(options.historyCandles ?? 10_080, this.window);
    this.warmup = options.indicatorWarmup ?? NO_WARMUP;
  }

  /** Records the candle in its symbol's history; throws when a symbol's candles change interval. */
  bar(symbol: string, interval: Interval, candle: Candle): Bar {
    const entry = symbol === this.lastSymbol && interval === this.lastInterval ? this.last! : this.entryOf(symbol, interval);
    const history = entry.history;
    history.push(candle);
    const now = candle.timestamp + history.baseMs;
    const bank = entry.bank;
    if (bank.size !== 0) bank.push(candle, now);
    // The window's price, never missing once a candle is in (SEMANTICS §2: fewer candles use those available).
    const price = history.price;
    const spare = entry.spare;
    if (spare === null) {
      const fresh: IndicatorBar = { symbol, interval, candle, now, price, history, indicators: bank };
      return fresh;
    }
    entry.spare = null;
    spare.candle = candle;
    spare.now = now;
    spare.price = price;
    return spare;
  }

  /**
   * Nothing holds the bar any more (the lanes went through it and no stage is waiting): its symbol's next bar may be
   * the same object, refilled. Only for a consumer that keeps no bars (not {@link averagePrice}, whose bars go to
   * arbitrary operators).
   */
  recycle(bar: Bar): void {
    const entry = this.last;
    if (entry !== null && entry.history === bar.history) entry.spare = bar as ReusableBar;
  }

  /**
   * Drops a symbol's history and indicators (a live node that no longer runs it): its next candle starts afresh.
   * Steps still holding its bars keep the old history object.
   */
  forget(symbol: string): void {
    this.histories.delete(symbol);
    if (this.lastSymbol === symbol) {
      this.lastSymbol = null;
      this.lastInterval = null;
      this.last = null;
    }
  }

  private entryOf(symbol: string, interval: Interval): Entry {
    const baseMs = intervalMs(interval);
    let entry = this.histories.get(symbol);
    if (entry === undefined) {
      const history = new CandleHistory(baseMs, Math.max(this.capacity, warmupCandles(this.warmup, baseMs)), this.window);
      entry = { history, bank: new IndicatorBank(history), spare: null };
      this.histories.set(symbol, entry);
    } else if (entry.history.baseMs !== baseMs) {
      throw new Error(`${symbol}: candles of interval ${interval} mixed with ${entry.history.baseMs / 60_000}m candles`);
    }
    this.lastSymbol = symbol;
    this.lastInterval = interval;
    this.last = entry;
    return entry;
  }
}
