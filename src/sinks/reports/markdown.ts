import { formatNumber, formatPercent, formatPrice } from '../../core/format.js';
import type { BacktestStatistics } from '../../core/stats.js';
import { isoTime } from '../../core/time.js';
import type { BacktestSummary } from './summary.js';
import type { Tearsheet } from './tearsheet.js';
import { tearsheetMarkdown } from './tearsheet-markdown.js';

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

/** The headline numbers, as label → text (shared by the markdown report and the CLI summary). */
export function statisticsLines(s: BacktestStatistics): Array<[string, string]> {
  return [
    ['Closed signals', String(s.totalSignals)],
    ['Wins / losses', `${s.winCount} / ${s.lossCount}`],
    ['Win rate', formatPercent(s.winRate, 2)],
    ['Total PnL', formatPercent(s.totalPnl)],
    ['Average PnL', formatPercent(s.avgPnl)],
    ['Std dev', formatNumber(s.stdDev)],
    ['Sharpe (per trade)', formatNumber(s.sharpeRatio)],
    ['Annualized Sharpe', formatNumber(s.annualizedSharpeRatio)],
    ['Certainty ratio', formatNumber(s.certaintyRatio)],
    ['Profit factor', formatNumber(s.profitFactor)],
    ['Expectancy', formatPercent(s.expectancy)],
    ['Max drawdown', formatPercent(s.maxDrawdown)],
    ['Average win / loss', `${formatPercent(s.avgWin)} / ${formatPercent(s.avgLoss)}`],
    ['Max win / loss streak', `${s.maxWinStreak} / ${s.maxLossStreak}`],
    ['Expected yearly returns', formatPercent(s.expectedYearlyReturns, 2)],
    ['Average duration', s.avgDurationMinutes === null ? '—' : `${s.avgDurationMinutes.toFixed(1)} min`],
    ['Still open / pending at end', `${s.openSignals} / ${s.pendingSignals}`],
  ];
}

/**
 * A markdown backtest report: with a tearsheet the account (metrics, deepest drawdowns, monthly returns, per-symbol
 * and per-reason tables, inputs) first; then the per-trade statistics, schedule statistics, per-strategy rows and one
 * row per closed signal.
 *
 * @example
 * ```ts
 * const summary = await lastValueFrom(backtest({ source, strategies }).pipe(summarize()));
 * await writeFile('backtest.md', markdownReport(summary));
 * ```
 */
export function markdownReport(summary: BacktestSummary, title = 'Backtest report', tearsheet?: Tearsheet): string {
  const s = summary.statistics;
  const sch = summary.schedule;
  const parts: string[] = [`# ${title}`, ''];
  const period = tearsheet?.period ?? (summary.from !== null && summary.to !== null ? { from: summary.from, to: summary.to } : null);
  if (period !== null) parts.push(`Period${tearsheet?.period ? " (the data's span)" : ''}: ${isoTime(period.from)} → ${isoTime(period.to)}`, '');
  if (tearsheet !== undefined) parts.push(...tearsheetMarkdown(tearsheet));
  parts.push('## Per-trade statistics', '', table(['Per-trade metric', 'Value'], statisticsLines(s)), '');
  parts.push(
    '## Scheduled (limit) signals',
    '',
    table(
      ['Scheduled', 'Activated', 'Cancelled', 'Activation rate', 'Cancellation rate', 'Avg activation', 'Avg cancel'],
      [
        [
          sch.totalScheduled,
          sch.totalActivated,
          sch.totalCancelled,
          formatPercent(sch.activationRate, 2),
          formatPercent(sch.cancellationRate, 2),
          sch.avgActivationMinutes === null ? '—' : `${sch.avgActivationMinutes.toFixed(1)} min`,
          sch.avgCancelMinutes === null ? '—' : `${sch.avgCancelMinutes.toFixed(1)} min`,
        ],
      ],
    ),
    '',
  );
  const strategies = Object.entries(summary.byStrategy);
  if (strategies.length > 1) {
    parts.push(
      '## By strategy (per-trade)',
      '',
      table(
        ['Strategy', 'Signals', 'Win rate', 'Total PnL', 'Sharpe', 'Max drawdown', 'Profit factor'],
        strategies.map(([name, st]) => [
          name,
          st.totalSignals,
          formatPercent(st.winRate, 2),
          formatPercent(st.totalPnl),
          formatNumber(st.sharpeRatio),
          formatPercent(st.maxDrawdown),
          formatNumber(st.profitFactor),
        ]),
      ),
      '',
    );
  }
  const counts = Object.entries(summary.counts).map(([action, n]) => `${action} ${n}`);
  if (counts.length > 0) parts.push(`Events: ${counts.join(', ')}`, '');
  if (summary.errors.length > 0) {
    parts.push('## Errors', '', ...summary.errors.map((m) => `- ${m}`), '');
  }
  parts.push(
    '## Closed signals',
    '',
    table(
      ['#', 'Symbol', 'Strategy', 'Position', 'Opened', 'Closed', 'Reason', 'Open', 'Close', 'PnL', 'Minutes'],
      summary.closed.map((e, i) => [
        i + 1,
        e.symbol,
        e.strategy,
        e.signal.position,
        isoTime(e.signal.pendingAt ?? e.signal.scheduledAt),
        isoTime(e.closeTimestamp),
        e.closeReason,
        formatPrice(e.pnl.priceOpen),
        formatPrice(e.pnl.priceClose),
        formatPercent(e.pnl.pnlPercentage),
        e.durationMinutes,
      ]),
    ),
    '',
  );
  return parts.join('\n');
}
