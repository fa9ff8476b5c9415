import type { BacktestSummary } from './summary.js';

/**
 * The JSON backtest report: `statistics` with the field names of SEMANTICS §9, `schedule`, `byStrategy`, event
 * `counts`, and `signals` (the closed-signal events of the event contract).
 *
 * @example
 * ```ts
 * await writeFile('backtest.json', jsonReport(summary));
 * ```
 */
export function jsonReport(summary: BacktestSummary): string {
  return `${JSON.stringify(
    {
      statistics: summary.statistics,
      schedule: summary.schedule,
      byStrategy: summary.byStrategy,
      counts: summary.counts,
      period: { from: summary.from, to: summary.to },
      errors: summary.errors,
      signals: summary.closed,
    },
    null,
    2,
  )}\n`;
}
