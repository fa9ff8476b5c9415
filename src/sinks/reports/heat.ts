import { formatNumber, formatPercent } from '../../core/format.js';
import type { HeatStatistics } from '../../core/heat.js';
import type { BacktestStatistics } from '../../core/stats.js';
import { markdownTable } from './markdown-table.js';

function cells(s: BacktestStatistics): string[] {
  return [
    String(s.totalSignals),
    formatPercent(s.winRate, 2),
    formatPercent(s.totalPnl),
    formatPercent(s.avgPnl),
    formatNumber(s.sharpeRatio),
    formatPercent(s.maxDrawdown),
    formatNumber(s.profitFactor),
    formatPercent(s.expectancy),
    `${s.maxWinStreak} / ${s.maxLossStreak}`,
  ];
}

/**
 * A markdown portfolio heat report: one row per symbol (best Sharpe first) and the portfolio totals.
 *
 * @example
 * ```ts
 * const h = await lastValueFrom(heat({ source, strategies }));
 * await writeFile('heat.md', heatMarkdownReport(h));
 * ```
 */
export function heatMarkdownReport(heat: HeatStatistics, title = 'Portfolio heat'): string {
  const header = ['Symbol', 'Signals', 'Win rate', 'Total PnL', 'Avg PnL', 'Sharpe', 'Max drawdown', 'Profit factor', 'Expectancy', 'Streaks W / L'];
  const rows = heat.rows.map((r) => [r.symbol, ...cells(r.statistics)]);
  rows.push([`**Portfolio (${heat.totals.symbols} symbols)**`, ...cells(heat.totals.statistics)]);
  return [`# ${title}`, '', markdownTable(header, rows), ''].join('\n');
}

/**
 * The JSON heat report: `{ rows: [{ symbol, statistics }], totals: { symbols, statistics } }`, with the field names
 * of SEMANTICS §9.
 *
 * @example
 * ```ts
 * await writeFile('heat.json', heatJsonReport(h));
 * ```
 */
export function heatJsonReport(heat: HeatStatistics): string {
  return `${JSON.stringify(heat, null, 2)}\n`;
}
