import { z } from 'zod';
import type { BacktestStatistics } from './stats.js';
import type { PortfolioStatistics } from './portfolio-stats.js';

/**
 * The account's statistics a walker can rank by (SEMANTICS §12), each strategy on its own account; the walker's
 * name → the {@link PortfolioStatistics} key. `equityMaxDrawdown` (the equity's, not the per-trade `maxDrawdown`) is
 * minimised.
 */
export const PORTFOLIO_METRICS = {
  finalEquity: 'finalEquity',
  totalReturn: 'totalReturn',
  cagr: 'cagr',
  sharpe: 'sharpe',
  sortino: 'sortino',
  calmar: 'calmar',
  equityMaxDrawdown: 'maxDrawdown',
} as const satisfies Record<string, keyof PortfolioStatistics>;
export type PortfolioMetric = keyof typeof PORTFOLIO_METRICS;

/** The per-trade statistics a walker can rank strategies by (SEMANTICS §9); `maxDrawdown` is minimised. */
export const TradeMetricSchema = z.enum([
  'sharpeRatio',
  'annualizedSharpeRatio',
  'winRate',
  'totalPnl',
  'certaintyRatio',
  'avgPnl',
  'expectedYearlyReturns',
  'profitFactor',
  'maxDrawdown',
]);
export type TradeMetric = z.infer<typeof TradeMetricSchema>;

/**
 * Everything a walker can rank by: the per-trade statistics (SEMANTICS §9), then the account's (§12, see
 * {@link PORTFOLIO_METRICS}). `maxDrawdown` and `equityMaxDrawdown` are minimised, the rest maximised.
 */
export const WalkerMetricSchema = z.enum([
  ...TradeMetricSchema.options,
  ...(Object.keys(PORTFOLIO_METRICS) as [PortfolioMetric, ...PortfolioMetric[]]),
]);
export type WalkerMetric = z.infer<typeof WalkerMetricSchema>;

/** The metric a walker ranks by when none is given (SEMANTICS §9). */
export const DEFAULT_WALKER_METRIC: WalkerMetric = 'sharpeRatio';

/**
 * Whether a smaller value of the metric is better.
 *
 * @example
 * ```ts
 * isMinimised('maxDrawdown'); // true
 * ```
 */
export function isMinimised(metric: WalkerMetric): boolean {
  return metric === 'maxDrawdown' || metric === 'equityMaxDrawdown';
}

/** Per-trade statistics with, when the run had an account per strategy, that account's statistics. */
export type RankedStatistics = BacktestStatistics & { readonly portfolio?: PortfolioStatistics };

function isPortfolioMetric(metric: WalkerMetric): metric is PortfolioMetric {
  return Object.hasOwn(PORTFOLIO_METRICS, metric);
}

/**
 * The metric's value for a strategy, or null when it has none. **Decision:** a strategy without a single closed
 * signal has no value for any metric (its `totalPnl` of 0 included), so doing nothing never wins a ranking.
 *
 * @example
 * ```ts
 * metricValue(stats, 'profitFactor'); // 1.8, or null (no losses, or no trades)
 * ```
 */
export function metricValue(statistics: RankedStatistics, metric: WalkerMetric): number | null {
  if (statistics.totalSignals === 0) return null;
  const value = isPortfolioMetric(metric) ? (statistics.portfolio?.[PORTFOLIO_METRICS[metric]] ?? null) : statistics[metric];
  return value !== null && Number.isFinite(value) ? value : null;
}

/**
 * `a` is strictly better than `b` for the metric. A null never beats anything and anything beats a null; equal
 * values are not better, so a tie keeps the strategy already ahead.
 *
 * @example
 * ```ts
 * isBetter(1.2, null, 'sharpeRatio'); // true
 * isBetter(3, 5, 'maxDrawdown'); // true
 * ```
 */
export function isBetter(a: number | null, b: number | null, metric: WalkerMetric): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return isMinimised(metric) ? a < b : a > b;
}

/** One strategy's statistics, as the walker gathered them. */
export interface StrategyStatistics {
  readonly strategy: string;
  readonly statistics: RankedStatistics;
}

export interface RankedStrategy extends StrategyStatistics {
  /** 1 for the best; strategies without a value come last, in the order they were given. */
  readonly rank: number;
  /** The metric's value, null when the strategy has none. */
  readonly value: number | null;
}

/** The outcome of a walker: the metric, the winner and every strategy in rank order. */
export interface WalkerRanking {
  readonly metric: WalkerMetric;
  /** Null when no strategy has a value for the metric (a null metric never wins). */
  readonly bestStrategy: string | null;
  readonly bestValue: number | null;
  readonly strategies: readonly RankedStrategy[];
}

/**
 * Ranks strategies by a metric (SEMANTICS §9): best first (`maxDrawdown` smallest first, every other metric largest
 * first), strategies without a value last; a null metric never wins; ties keep the strategy given earlier.
 *
 * @example
 * ```ts
 * const ranking = rankStrategies([{ strategy: 'a', statistics: sa }, { strategy: 'b', statistics: sb }], 'sharpeRatio');
 * console.log(ranking.bestStrategy, ranking.bestValue);
 * ```
 */
export function rankStrategies(entries: readonly StrategyStatistics[], metric: WalkerMetric = DEFAULT_WALKER_METRIC): WalkerRanking {
  const scored = entries.map((e, index) => ({ ...e, index, value: metricValue(e.statistics, metric) }));
  // Stable: equal values, and all nulls, keep the order the strategies were given in.
  scored.sort((a, b) => {
    if (isBetter(a.value, b.value, metric)) return -1;
    if (isBetter(b.value, a.value, metric)) return 1;
    return a.index - b.index;
  });
  const strategies = scored.map(({ strategy, statistics, value }, i) => ({ rank: i + 1, strategy, value, statistics }));
  const best = strategies[0];
  const hasBest = best !== undefined && best.value !== null;
  return {
    metric,
    bestStrategy: hasBest ? best.strategy : null,
    bestValue: hasBest ? best.value : null,
    strategies,
  };
}
