import type { SignalEvent } from './events.js';
import { StatisticsAccumulator, type BacktestStatistics } from './stats.js';

/** One symbol's statistics in a portfolio. */
export interface HeatRow {
  readonly symbol: string;
  readonly statistics: BacktestStatistics;
}

/**
 * Portfolio (heat) statistics (SEMANTICS §9): one row per symbol, sorted by Sharpe ratio descending (nulls last,
 * ties by symbol name), and the totals of the whole portfolio — every closed signal of every symbol, in close order,
 * so the portfolio drawdown is that of the combined equity curve.
 */
export interface HeatStatistics {
  readonly rows: readonly HeatRow[];
  readonly totals: {
    readonly symbols: number;
    readonly statistics: BacktestStatistics;
  };
}

/** Events that say something about a symbol's trading (not run-level progress, not strategy errors). */
function isLaneEvent(event: SignalEvent): boolean {
  return event.action !== 'progress' && event.action !== 'done' && event.action !== 'error';
}

/**
 * The heat order: Sharpe descending, nulls last; equal values by symbol name so the order never depends on arrival.
 *
 * @example
 * ```ts
 * [...rows].sort(compareHeatRows);
 * ```
 */
export function compareHeatRows(a: HeatRow, b: HeatRow): number {
  const x = a.statistics.sharpeRatio;
  const y = b.statistics.sharpeRatio;
  if (x !== y) {
    if (x === null) return 1;
    if (y === null) return -1;
    return y - x;
  }
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

/**
 * Streaming accumulator of {@link HeatStatistics}: constant memory per symbol.
 *
 * @example
 * ```ts
 * const acc = new HeatAccumulator({ strategy: 'sma-cross' });
 * for (const e of events) acc.add(e);
 * acc.result().rows[0]?.symbol; // the symbol with the best Sharpe ratio
 * ```
 */
export class HeatAccumulator {
  private readonly all = new StatisticsAccumulator();
  private readonly bySymbol = new Map<string, StatisticsAccumulator>();

  /** `strategy`: count only that strategy's events (default: every strategy's). */
  constructor(private readonly options: { readonly strategy?: string } = {}) {}

  add(event: SignalEvent): void {
    if (!isLaneEvent(event)) return;
    if (this.options.strategy !== undefined && event.strategy !== this.options.strategy) return;
    let acc = this.bySymbol.get(event.symbol);
    if (acc === undefined) {
      acc = new StatisticsAccumulator();
      this.bySymbol.set(event.symbol, acc);
    }
    acc.add(event);
    this.all.add(event);
  }

  result(): HeatStatistics {
    const rows = [...this.bySymbol].map(([symbol, acc]) => ({ symbol, statistics: acc.result() })).sort(compareHeatRows);
    return { rows, totals: { symbols: rows.length, statistics: this.all.result() } };
  }
}

/**
 * Portfolio statistics per symbol of a finished run's events.
 *
 * @example
 * ```ts
 * const heat = computeHeat(events);
 * console.log(heat.rows.map((r) => `${r.symbol} ${r.statistics.sharpeRatio}`), heat.totals.statistics.totalPnl);
 * ```
 */
export function computeHeat(events: Iterable<SignalEvent>, options: { readonly strategy?: string } = {}): HeatStatistics {
  const acc = new HeatAccumulator(options);
  for (const e of events) acc.add(e);
  return acc.result();
}
