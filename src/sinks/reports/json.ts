import type { BacktestSummary } from './summary.js';
import type { Tearsheet } from './tearsheet.js';
import { tearsheetJson } from './tearsheet-markdown.js';

/**
 * The JSON backtest report: `statistics` (per-trade) with the field names of SEMANTICS §9, `schedule`, `byStrategy`,
 * event `counts`, `period` (the data's span with a tearsheet, else first to last event), `events` (first to last
 * event) and `signals` (the closed-signal events of the event contract). With a tearsheet also the account:
 * `portfolio` (SEMANTICS §12), `drawdowns`, `monthlyReturns`, `bySymbol`, `byExitReason`, `byStrategyTrades`, the
 * downsampled `equityCurve`, `data` spans, `inputs` and `money`.
 *
 * @example
 * ```ts
 * await writeFile('backtest.json', jsonReport(summary));
 * ```
 */
export function jsonReport(summary: BacktestSummary, tearsheet?: Tearsheet): string {
  return `${JSON.stringify(
    {
      ...(tearsheet === undefined ? {} : tearsheetJson(tearsheet)),
      statistics: summary.statistics,
      schedule: summary.schedule,
      byStrategy: summary.byStrategy,
      counts: summary.counts,
      period: tearsheet?.period ?? { from: summary.from, to: summary.to },
      events: { from: summary.from, to: summary.to },
      errors: summary.errors,
      signals: summary.closed,
    },
    null,
    2,
  )}\n`;
}
