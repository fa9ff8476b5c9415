import { formatNumber, formatPercent, formatPrice } from '../../core/format.js';
import type { ScheduleStatistics } from '../../core/schedule-stats.js';
import type { BacktestStatistics } from '../../core/stats.js';
import type { ClosedEvent } from '../../core/events.js';
import { drawdownCurve, equityCurve, openedAt } from './equity.js';
import { escapeHtml } from './html-escape.js';
import { htmlDocument, htmlTable, signed, utcMinute } from './html-page.js';
import { statisticsLines } from './markdown.js';
import type { BacktestSummary } from './summary.js';
import { lineChart } from './svg-chart.js';

export interface HtmlReportOptions {
  /** Page title and heading. Default `Backtest report`. */
  readonly title?: string;
  /** Points drawn per chart line at most (long runs are downsampled, keeping their extremes). Default 1200. */
  readonly maxChartPoints?: number;
}

const EQUITY_COLOR = '#2563eb';
const DRAWDOWN_COLOR = '#dc2626';

function kpi(label: string, value: string): string {
  return `<div class="kpi"><div>${escapeHtml(label)}</div><div>${value}</div></div>`;
}

function kpis(s: BacktestStatistics): string {
  return [
    '<section class="kpis">',
    kpi('Total PnL', signed(s.totalPnl, formatPercent(s.totalPnl, 2))),
    kpi('Closed signals', String(s.totalSignals)),
    kpi('Win rate', escapeHtml(formatPercent(s.winRate, 1))),
    kpi('Sharpe / trade', escapeHtml(formatNumber(s.sharpeRatio, 3))),
    kpi('Max drawdown', s.maxDrawdown === null || s.maxDrawdown === 0 ? escapeHtml(formatPercent(s.maxDrawdown, 2)) : signed(-1, formatPercent(-s.maxDrawdown, 2))),
    kpi('Profit factor', escapeHtml(formatNumber(s.profitFactor, 2))),
    '</section>',
  ].join('\n');
}

function minutes(m: number | null): string {
  return m === null ? '—' : `${m.toFixed(1)} min`;
}

function scheduleTable(sch: ScheduleStatistics): string {
  return htmlTable(
    ['Scheduled (limit) signals', ''],
    [
      ['Scheduled', String(sch.totalScheduled)],
      ['Activated', `${sch.totalActivated} (${formatPercent(sch.activationRate, 1)})`],
      ['Cancelled', `${sch.totalCancelled} (${formatPercent(sch.cancellationRate, 1)})`],
      ['Average wait to activation', minutes(sch.avgActivationMinutes)],
      ['Average wait to cancellation', minutes(sch.avgCancelMinutes)],
    ].map(([k, v]) => [escapeHtml(k!), escapeHtml(v!)]),
    [false, true],
  );
}

function byStrategyTable(byStrategy: Readonly<Record<string, BacktestStatistics>>): string {
  const rows = Object.entries(byStrategy).map(([name, st]) => [
    escapeHtml(name),
    String(st.totalSignals),
    escapeHtml(formatPercent(st.winRate, 2)),
    signed(st.totalPnl, formatPercent(st.totalPnl)),
    escapeHtml(formatNumber(st.sharpeRatio)),
    escapeHtml(formatPercent(st.maxDrawdown)),
    escapeHtml(formatNumber(st.profitFactor)),
  ]);
  return htmlTable(['Strategy', 'Signals', 'Win rate', 'Total PnL', 'Sharpe', 'Max drawdown', 'Profit factor'], rows, [
    false, true, true, true, true, true, true,
  ]);
}

function duration(m: number): string {
  return Number.isInteger(m) ? String(m) : m.toFixed(1);
}

/** One row per closed signal, as in the markdown report; prices by significant digits (0.00005 stays readable). */
function tradeTable(closed: readonly ClosedEvent[]): string {
  const rows = closed.map((e, i) => [
    String(i + 1),
    escapeHtml(e.symbol),
    escapeHtml(e.strategy),
    escapeHtml(e.signal.position),
    utcMinute(openedAt(e)),
    utcMinute(e.closeTimestamp),
    escapeHtml(e.closeReason),
    formatPrice(e.pnl.priceOpen),
    formatPrice(e.pnl.priceClose),
    signed(e.pnl.pnlPercentage, formatPercent(e.pnl.pnlPercentage)),
    duration(e.durationMinutes),
  ]);
  return htmlTable(
    ['#', 'Symbol', 'Strategy', 'Position', 'Opened (UTC)', 'Closed (UTC)', 'Reason', 'Open', 'Close', 'PnL', 'Minutes'],
    rows,
    [true, false, false, false, false, false, false, true, true, true, true],
  );
}

/**
 * A self-contained HTML backtest report: the period and headline statistics, the equity curve (cumulative pnl % of
 * the closed signals against close time), its drawdown, the statistics tables and one row per closed signal. No
 * scripts, no network: inline CSS and SVG only. Every user text (symbols, strategies, errors) is escaped, and the
 * same summary always renders the same bytes.
 *
 * @example
 * ```ts
 * const summary = await lastValueFrom(backtest({ source, strategies }).pipe(summarize()));
 * await writeFile('backtest.html', htmlReport(summary));
 * ```
 */
export function htmlReport(summary: BacktestSummary, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'Backtest report';
  const s = summary.statistics;
  const from = summary.from ?? (summary.closed.length > 0 ? openedAt(summary.closed[0]!) : null);
  const to = summary.to;
  const equity = equityCurve(summary.closed, from ?? undefined);
  // A flat line to the end of the data: the last trade is not the end of the period.
  const last = equity[equity.length - 1];
  if (last !== undefined && to !== null && to > last.x) equity.push({ x: to, y: last.y });
  const xDomain = from !== null && to !== null ? ([from, to] as const) : undefined;
  const chart = { maxPoints: options.maxChartPoints, xDomain, empty: 'No closed signals' };
  const strategies = Object.keys(summary.byStrategy);

  const header = [
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    from !== null && to !== null ? `<p>${utcMinute(from)} → ${utcMinute(to)} UTC</p>` : '<p>No events</p>',
    strategies.length > 0 ? `<p>Strategies: ${strategies.map(escapeHtml).join(', ')}</p>` : '',
    '</header>',
  ].filter((l) => l !== '');

  const sections = [
    ...header,
    kpis(s),
    '<section>',
    '<h2>Equity curve: cumulative PnL of closed signals (% points)</h2>',
    lineChart([{ name: 'Cumulative PnL', color: EQUITY_COLOR, points: equity, steps: true }], { ...chart, title: 'Equity curve' }),
    '</section>',
    '<section>',
    '<h2>Drawdown from the running peak (% points)</h2>',
    lineChart([{ name: 'Drawdown', color: DRAWDOWN_COLOR, points: drawdownCurve(equity), fill: true, markMin: true, steps: true }], {
      ...chart,
      title: 'Drawdown',
      height: 200,
      nonPositive: true,
    }),
    '</section>',
    '<div class="grid">',
    '<section>',
    '<h2>Statistics</h2>',
    htmlTable(['Metric', 'Value'], statisticsLines(s).map(([k, v]) => [escapeHtml(k), escapeHtml(v)]), [false, true]),
    '</section>',
    '<section>',
    '<h2>Orders and events</h2>',
    scheduleTable(summary.schedule),
    htmlTable(
      ['Events', 'Count'],
      Object.entries(summary.counts).map(([action, n]) => [escapeHtml(action), String(n)]),
      [false, true],
    ),
    '</section>',
    '</div>',
  ];
  if (strategies.length > 1) sections.push('<section>', '<h2>By strategy</h2>', byStrategyTable(summary.byStrategy), '</section>');
  if (summary.errors.length > 0) {
    sections.push('<section>', '<h2>Errors</h2>', '<ul>', ...summary.errors.map((m) => `<li>${escapeHtml(m)}</li>`), '</ul>', '</section>');
  }
  sections.push(
    '<section>',
    `<h2>Closed signals (${summary.closed.length})</h2>`,
    summary.closed.length === 0 ? '<p class="muted">No closed signals.</p>' : `<div class="scroll">\n${tradeTable(summary.closed)}\n</div>`,
    '</section>',
  );
  return htmlDocument(title, `<main>\n${sections.join('\n')}\n</main>`);
}
