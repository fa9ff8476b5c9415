import { formatNumber, formatPercent } from '../../core/format.js';
import { isMinimised, type WalkerMetric, type WalkerRanking } from '../../core/walker-rank.js';
import { markdownTable } from './markdown-table.js';

const PERCENT_METRICS: ReadonlySet<WalkerMetric> = new Set(['winRate', 'totalPnl', 'avgPnl', 'expectedYearlyReturns', 'maxDrawdown']);

/**
 * A metric's value as text: percentages with `%`, ratios plain, `—` when there is none.
 *
 * @example
 * ```ts
 * formatMetric('totalPnl', 1.5); // '1.5000%'
 * ```
 */
export function formatMetric(metric: WalkerMetric, value: number | null): string {
  return PERCENT_METRICS.has(metric) ? formatPercent(value) : formatNumber(value);
}

/**
 * The one-line verdict of a ranking, or why there is none.
 *
 * @example
 * ```ts
 * walkerHeadline(result); // 'Best: sma-cross (sharpeRatio 0.1234)'
 * ```
 */
export function walkerHeadline(ranking: WalkerRanking): string {
  if (ranking.bestStrategy === null) return `No strategy has a ${ranking.metric} (none closed a signal with a defined value)`;
  return `Best: ${ranking.bestStrategy} (${ranking.metric} ${formatMetric(ranking.metric, ranking.bestValue)})`;
}

/**
 * A markdown walker report: the metric, the best strategy and one row per strategy in rank order.
 *
 * @example
 * ```ts
 * const result = await lastValueFrom(walker({ source, strategies }).pipe(filter((e) => e.type === 'result')));
 * await writeFile('walker.md', walkerMarkdownReport(result));
 * ```
 */
export function walkerMarkdownReport(ranking: WalkerRanking, title = 'Walker report'): string {
  const direction = isMinimised(ranking.metric) ? 'lower is better' : 'higher is better';
  return [
    `# ${title}`,
    '',
    `Metric: ${ranking.metric} (${direction}). ${walkerHeadline(ranking)}.`,
    '',
    markdownTable(
      ['Rank', 'Strategy', ranking.metric, 'Signals', 'Win rate', 'Total PnL', 'Sharpe', 'Max drawdown', 'Profit factor'],
      ranking.strategies.map((r) => [
        r.rank,
        r.strategy,
        formatMetric(ranking.metric, r.value),
        r.statistics.totalSignals,
        formatPercent(r.statistics.winRate, 2),
        formatPercent(r.statistics.totalPnl),
        formatNumber(r.statistics.sharpeRatio),
        formatPercent(r.statistics.maxDrawdown),
        formatNumber(r.statistics.profitFactor),
      ]),
    ),
    '',
  ].join('\n');
}

/**
 * The JSON walker report: `{ metric, bestStrategy, bestValue, strategies: [{ rank, strategy, value, statistics }] }`.
 *
 * @example
 * ```ts
 * await writeFile('walker.json', walkerJsonReport(result));
 * ```
 */
export function walkerJsonReport(ranking: WalkerRanking): string {
  const { metric, bestStrategy, bestValue, strategies } = ranking;
  return `${JSON.stringify({ metric, bestStrategy, bestValue, strategies }, null, 2)}\n`;
}
