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
import { formatMetric } from './report-format.js';
import { tradeKey, type Tearsheet } from './tearsheet.js';
import { accountCards, accountTable, drawdownTable, equityCharts, groupTables, inputsSection, monthlyHeatmap, priceCharts, stakeText } from './tearsheet-html.js';

export interface HtmlReportOptions {
  /** Page title and heading. Default `Backtest report`. */
  readonly title?: string;
  /** Points drawn per chart line at most (long runs are downsampled, keeping their extremes). Default 1200. */
  readonly maxChartPoints?: number;
  /**
   * The account's view of the run ({@link buildTearsheet}): adds the headline cards, equity in money with its
   * drawdown, monthly returns, deepest drawdowns, per-symbol and per-reason tables, price charts and the run's inputs.
   * Without it the report shows the per-trade view only.
   */
  readonly tearsheet?: Tearsheet;
}

const EQUITY_COLOR = '#2563eb';
const DRAWDOWN_COLOR = '#dc2626';

function kpi(label: string, value: string): string {
  return `<div class="kpi"><div>${escapeHtml(label)}</div><div>${value}</div></div>`;
}

function kpis(s: BacktestStatistics): string {
  return [
    '<section class="kpis">',
    kpi('Per-trade Σ PnL', signed(s.totalPnl, formatPercent(s.totalPnl, 2))),
    kpi('Closed signals', String(s.totalSignals)),
    kpi('Win rate', escapeHtml(formatPercent(s.winRate, 1))),
    kpi('Sharpe per trade', escapeHtml(formatNumber(s.sharpeRatio, 3))),
    kpi('Per-trade max drawdown', s.maxDrawdown === null || s.maxDrawdown === 0 ? escapeHtml(formatPercent(s.maxDrawdown, 2)) : signed(-1, formatPercent(-s.maxDrawdown, 2))),
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

/**
 * One row per closed signal, as in the markdown report; prices by significant digits (0.00005 stays readable). With
 * an account, each row also has the trade's stake and money profit.
 */
function tradeTable(closed: readonly ClosedEvent[], sheet: Tearsheet | undefined): string {
  const withMoney = sheet !== undefined;
  // One strategy is named in the header; its column would only take width from the others.
  const withStrategy = new Set(closed.map((e) => e.strategy)).size > 1;
  const rows = closed.map((e, i) => {
    const money = sheet?.tradeMoney.get(tradeKey(e.strategy, e.symbol, e.signal.id));
    return [
      String(i + 1),
      escapeHtml(e.symbol),
      ...(withStrategy ? [escapeHtml(e.strategy)] : []),
      escapeHtml(e.signal.position),
      timeCell(openedAt(e)),
      timeCell(e.closeTimestamp),
      escapeHtml(e.closeReason.replace(/_/g, ' ')),
      formatPrice(e.pnl.priceOpen),
      formatPrice(e.pnl.priceClose),
      signed(e.pnl.pnlPercentage, formatPercent(e.pnl.pnlPercentage)),
      ...(withMoney ? [escapeHtml(formatMetric(money?.stake, 'money')), signed(money?.profit ?? null, formatMetric(money?.profit, 'money'))] : []),
      duration(e.durationMinutes),
    ];
  });
  const header = ['#', 'Symbol', ...(withStrategy ? ['Strategy'] : []), 'Position', 'Opened (UTC)', 'Closed (UTC)', 'Reason', 'Open', 'Close', 'PnL', ...(withMoney ? ['Stake', 'Profit'] : []), 'Minutes'];
  const firstNumber = header.indexOf('Open');
  return htmlTable(header, rows, header.map((_, i) => i === 0 || i >= firstNumber));
}

/** A UTC minute that may wrap between the date and the time, never inside either. */
function timeCell(ms: number): string {
  const [day, time] = utcMinute(ms).split(' ');
  return time === undefined ? escapeHtml(day!) : `<span class="nw">${day}</span> <span class="nw">${time}</span>`;
}

function perTradeTable(summary: BacktestSummary): string {
  return [
    '<section id="per-trade">',
    '<h2>Per-trade statistics (each trade in %, SEMANTICS §9)</h2>',
    htmlTable(['Per-trade metric', 'Value'], statisticsLines(summary.statistics).map(([k, v]) => [escapeHtml(k), escapeHtml(v)]), [false, true]),
    '</section>',
  ].join('\n');
}

function ordersSection(summary: BacktestSummary, strategies: readonly string[]): string[] {
  const sections = [
    '<section id="orders">',
    '<h2>Orders and events</h2>',
    '<div class="grid">',
    scheduleTable(summary.schedule),
    htmlTable(
      ['Events', 'Count'],
      Object.entries(summary.counts).map(([action, n]) => [escapeHtml(action), String(n)]),
      [false, true],
    ),
    '</div>',
    '</section>',
  ];
  if (strategies.length > 1) sections.push('<section>', '<h2>By strategy (per-trade)</h2>', '<div class="wide">', byStrategyTable(summary.byStrategy), '</div>', '</section>');
  return sections;
}

function perTradeSections(summary: BacktestSummary, strategies: readonly string[]): string[] {
  return ['<div class="grid">', perTradeTable(summary), '</div>', ...ordersSection(summary, strategies)];
}

/**
 * A self-contained HTML backtest report. With a {@link Tearsheet} (the account): headline cards, equity in money with
 * its drawdown, monthly returns, the deepest drawdowns, per-symbol / per-reason / per-strategy tables, price charts
 * with entries and exits, the per-trade statistics, every trade, and the run's inputs; the period is the data's span.
 * Without one: the per-trade view (cumulative pnl % of closed signals, its drawdown, the statistics and every trade).
 * No scripts, no network: inline CSS and SVG only. Every user text is escaped, and the same input renders the same
 * bytes. The trade table is never in a scroll box: it prints and screenshots whole.
 *
 * @example
 * ```ts
 * const summary = await lastValueFrom(backtest({ source, strategies }).pipe(summarize()));
 * await writeFile('backtest.html', htmlReport(summary, { tearsheet: await buildTearsheet({ candles: source, events }) }));
 * ```
 */
export function htmlReport(summary: BacktestSummary, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'Backtest report';
  const sheet = options.tearsheet;
  const strategies = Object.keys(summary.byStrategy);
  const sections = sheet === undefined ? perTradeView(summary, options, strategies) : accountView(summary, sheet, strategies);
  if (summary.errors.length > 0) {
    sections.push('<section>', '<h2>Errors</h2>', '<ul>', ...summary.errors.map((m) => `<li>${escapeHtml(m)}</li>`), '</ul>', '</section>');
  }
  sections.push(
    '<section id="trades">',
    `<h2>Closed signals (${summary.closed.length})</h2>`,
    summary.closed.length === 0 ? '<p class="muted">No closed signals.</p>' : `<div class="trades">\n${tradeTable(summary.closed, sheet)}\n</div>`,
    '</section>',
  );
  if (sheet !== undefined) sections.push(inputsSection(sheet));
  return htmlDocument(title, `<main>\n<header>\n<h1>${escapeHtml(title)}</h1>\n${headerLines(summary, sheet, strategies).join('\n')}\n</header>\n${sections.join('\n')}\n</main>`);
}

function headerLines(summary: BacktestSummary, sheet: Tearsheet | undefined, strategies: readonly string[]): string[] {
  const lines: string[] = [];
  const period = sheet?.period ?? null;
  if (period !== null) {
    const days = (period.to - period.from) / 86_400_000;
    lines.push(`<p>Period (the data's span): ${utcMinute(period.from)} → ${utcMinute(period.to)} UTC · ${days.toFixed(days < 10 ? 2 : 1)} days</p>`);
  } else {
    const from = summary.from ?? (summary.closed.length > 0 ? openedAt(summary.closed[0]!) : null);
    lines.push(from !== null && summary.to !== null ? `<p>${utcMinute(from)} → ${utcMinute(summary.to)} UTC</p>` : '<p>No events</p>');
  }
  if (sheet !== undefined) {
    const symbols = sheet.data.map((d) => d.symbol);
    if (symbols.length > 0) lines.push(`<p>Symbols: ${symbols.map(escapeHtml).join(', ')}</p>`);
    lines.push(`<p>Balance ${escapeHtml(formatMetric(sheet.money.balance, 'money'))} · stake ${escapeHtml(stakeText(sheet))}</p>`);
  }
  if (strategies.length > 0) lines.push(`<p>Strategies: ${strategies.map(escapeHtml).join(', ')}</p>`);
  return lines;
}

function accountView(summary: BacktestSummary, sheet: Tearsheet, strategies: readonly string[]): string[] {
  // Key–value tables side by side; tables with many columns get the full width, so none is ever clipped.
  return [
    accountCards(sheet),
    equityCharts(sheet),
    drawdownTable(sheet),
    monthlyHeatmap(sheet),
    groupTables(sheet),
    priceCharts(sheet),
    '<div class="grid">',
    `<section id="account">\n<h2>Account (over the equity curve, SEMANTICS §12)</h2>\n${accountTable(sheet)}\n</section>`,
    perTradeTable(summary),
    '</div>',
    ...ordersSection(summary, strategies),
  ].filter((l) => l !== '');
}

function perTradeView(summary: BacktestSummary, options: HtmlReportOptions, strategies: readonly string[]): string[] {
  const from = summary.from ?? (summary.closed.length > 0 ? openedAt(summary.closed[0]!) : null);
  const to = summary.to;
  const equity = equityCurve(summary.closed, from ?? undefined);
  // A flat line to the end of the data: the last trade is not the end of the period.
  const last = equity[equity.length - 1];
  if (last !== undefined && to !== null && to > last.x) equity.push({ x: to, y: last.y });
  const xDomain = from !== null && to !== null ? ([from, to] as const) : undefined;
  const chart = { maxPoints: options.maxChartPoints, xDomain, empty: 'No closed signals' };
  return [
    kpis(summary.statistics),
    '<section>',
    '<h2>Per-trade equity: cumulative PnL of closed signals (% points)</h2>',
    lineChart([{ name: 'Cumulative PnL', color: EQUITY_COLOR, points: equity, steps: true }], { ...chart, title: 'Equity curve' }),
    '</section>',
    '<section>',
    '<h2>Per-trade drawdown from the running peak (% points)</h2>',
    lineChart([{ name: 'Drawdown', color: DRAWDOWN_COLOR, points: drawdownCurve(equity), fill: true, markMin: true, steps: true }], {
      ...chart,
      title: 'Drawdown',
      height: 200,
      nonPositive: true,
    }),
    '</section>',
    ...perTradeSections(summary, strategies),
  ];
}
