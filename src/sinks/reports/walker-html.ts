import type { ClosedEvent } from '../../core/events.js';
import { formatNumber, formatPercent } from '../../core/format.js';
import { isMinimised, type WalkerRanking } from '../../core/walker-rank.js';
import { equityCurve, openedAt } from './equity.js';
import { escapeHtml } from './html-escape.js';
import { htmlDocument, htmlTable, signed, utcMinute } from './html-page.js';
import type { HtmlReportOptions } from './html.js';
import { lineChart, type ChartSeries } from './svg-chart.js';
import { formatMetric, walkerHeadline } from './walker.js';

export interface WalkerHtmlOptions extends HtmlReportOptions {
  /** Start of the data (e.g. a summary's `from`): every curve starts at 0 there. Default: the first trade's open. */
  readonly from?: number | null;
  /** End of the data (e.g. a summary's `to`): the curves run flat to it. Default: the last close. */
  readonly to?: number | null;
}

// Tableau 10: distinguishable, also for the common colour-vision deficiencies; cycles after ten strategies.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The closed signals of each strategy, in close order. */
function byStrategy(closed: readonly ClosedEvent[]): Map<string, ClosedEvent[]> {
  const out = new Map<string, ClosedEvent[]>();
  for (const e of closed) {
    let list = out.get(e.strategy);
    if (list === undefined) out.set(e.strategy, (list = []));
    list.push(e);
  }
  return out;
}

function swatch(color: string): string {
  return `<span class="swatch" style="background:${color}"></span>`;
}

/**
 * A self-contained HTML walker report: the strategies' equity curves on one chart (cumulative pnl % of each
 * strategy's closed signals against close time, one colour per strategy in rank order) and the ranking table.
 * `ranking` is the walker's result (or {@link rankStrategies}); `closed` the closed-signal events of the run, any
 * strategy mixed (collect them with the walker's `events` option, e.g. through a {@link SummaryCollector}). No
 * scripts, no network; every user text is escaped; the same input renders the same bytes.
 *
 * @example
 * ```ts
 * const collector = new SummaryCollector();
 * const result = await lastValueFrom(
 *   walker({ source, strategies, events: tap((e) => collector.add(e)) }).pipe(filter((e) => e.type === 'result')),
 * );
 * const summary = collector.result();
 * await writeFile('walker.html', walkerHtmlReport(result, summary.closed, { from: summary.from, to: summary.to }));
 * ```
 */
export function walkerHtmlReport(ranking: WalkerRanking, closed: readonly ClosedEvent[], options: WalkerHtmlOptions = {}): string {
  const title = options.title ?? 'Walker report';
  const groups = byStrategy(closed);
  let from = options.from ?? null;
  let to = options.to ?? null;
  for (const e of closed) {
    if (options.from == null) from = Math.min(from ?? Infinity, openedAt(e));
    if (options.to == null) to = Math.max(to ?? -Infinity, e.closeTimestamp);
  }
  const colors = new Map(ranking.strategies.map((r, i) => [r.strategy, PALETTE[i % PALETTE.length]!]));
  const series: ChartSeries[] = ranking.strategies.map((r) => {
    const points = equityCurve(groups.get(r.strategy) ?? [], from ?? undefined);
    const last = points[points.length - 1];
    if (last !== undefined && to !== null && to > last.x) points.push({ x: to, y: last.y });
    return { name: r.strategy, color: colors.get(r.strategy)!, points, steps: true };
  });
  // The best strategy is drawn last, on top of the others.
  series.reverse();

  const direction = isMinimised(ranking.metric) ? 'lower is better' : 'higher is better';
  const legend = ranking.strategies.map((r) => `<span>${swatch(colors.get(r.strategy)!)}${escapeHtml(r.strategy)}</span>`).join(' &#160; ');
  const rows = ranking.strategies.map((r) => [
    String(r.rank),
    `${swatch(colors.get(r.strategy)!)}${escapeHtml(r.strategy)}`,
    escapeHtml(formatMetric(ranking.metric, r.value)),
    String(r.statistics.totalSignals),
    escapeHtml(formatPercent(r.statistics.winRate, 2)),
    signed(r.statistics.totalPnl, formatPercent(r.statistics.totalPnl)),
    escapeHtml(formatNumber(r.statistics.sharpeRatio)),
    escapeHtml(formatPercent(r.statistics.maxDrawdown)),
    escapeHtml(formatNumber(r.statistics.profitFactor)),
  ]);
  const body = [
    '<main>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    from !== null && to !== null ? `<p>${utcMinute(from)} → ${utcMinute(to)} UTC</p>` : '<p>No closed signals</p>',
    `<p>Ranked by ${escapeHtml(ranking.metric)} (${direction}). ${escapeHtml(walkerHeadline(ranking))}.</p>`,
    '</header>',
    '<section>',
    '<h2>Equity curves: cumulative PnL of closed signals (% points)</h2>',
    lineChart(series, {
      title: 'Equity curves by strategy',
      height: 340,
      maxPoints: options.maxChartPoints,
      xDomain: from !== null && to !== null ? [from, to] : undefined,
      empty: 'No closed signals',
    }),
    `<p>${legend}</p>`,
    '</section>',
    '<section>',
    '<h2>Ranking</h2>',
    htmlTable(
      ['Rank', 'Strategy', escapeHtml(ranking.metric), 'Signals', 'Win rate', 'Total PnL', 'Sharpe', 'Max drawdown', 'Profit factor'],
      rows,
      [true, false, true, true, true, true, true, true, true],
    ),
    '</section>',
    '</main>',
  ].join('\n');
  return htmlDocument(title, body);
}
