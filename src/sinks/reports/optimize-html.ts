import type { ClosedEvent, SignalEvent } from '../../core/events.js';
import type { BacktestStatistics } from '../../core/stats.js';
import type { OptimizeResult, Trial } from '../../pipelines/optimize.js';
import { formatTimeRange } from '../../pipelines/timerange.js';
import { equityCurve } from './equity.js';
import { objectiveHeatmap } from './heatmap.js';
import { escapeHtml } from './html-escape.js';
import { htmlDocument, signed, utcMinute } from './html-page.js';
import {
  CHART_WIDTH,
  dsrRow,
  FONT,
  monteCarloRows,
  monteCarloSection,
  num,
  overfittingTable,
  pboHistogramSection,
  pboRow,
  psrRow,
  randomEntryRow,
} from './overfitting-html.js';
import { SORT_SCRIPT, sortableTable, type SortableCell, type SortableColumn } from './sortable-table.js';
import { lineChart } from './svg-chart.js';

export interface OptimizeHtmlOptions {
  readonly title?: string;
}

const EQUITY = '#2563eb';

/** The statistics columns of a trials table: label, how to read the value, percent or plain. */
export const STATISTIC_COLUMNS: readonly { readonly label: string; readonly key: keyof BacktestStatistics; readonly percent: boolean }[] = [
  { label: 'Signals', key: 'totalSignals', percent: false },
  { label: 'Win rate', key: 'winRate', percent: true },
  { label: 'Total PnL', key: 'totalPnl', percent: true },
  { label: 'Sharpe', key: 'sharpeRatio', percent: false },
  { label: 'Max drawdown', key: 'maxDrawdown', percent: true },
  { label: 'Profit factor', key: 'profitFactor', percent: false },
];

/** Cells of one statistic: formatted text, the number as sort key. */
export function statisticCell(stats: BacktestStatistics | null, key: keyof BacktestStatistics, percent: boolean): SortableCell {
  const v = stats === null ? null : (stats[key] as number | null);
  if (v === null) return { html: '—', sort: null };
  const text = percent ? `${num(v)} %` : num(v);
  return { html: key === 'totalPnl' ? signed(v, text) : escapeHtml(text), sort: v };
}

function trialRow(t: Trial, rank: number, keys: readonly string[]): SortableCell[] {
  return [
    { html: String(rank), sort: rank },
    { html: String(t.id), sort: t.id },
    ...keys.map((k) => {
      const v = t.params[k]!;
      return { html: escapeHtml(String(v)), sort: typeof v === 'number' ? v : String(v) };
    }),
    { html: t.objective === null ? '—' : escapeHtml(num(t.objective)), sort: t.objective },
    ...STATISTIC_COLUMNS.map((c) => statisticCell(t.statistics, c.key, c.percent)),
    { html: t.feasible ? 'yes' : '<span class="neg">no</span>', sort: t.feasible ? 1 : 0 },
  ];
}

/** The closed-signal events among a run's events. */
export function closedOnly(events: readonly SignalEvent[]): ClosedEvent[] {
  return events.filter((e): e is ClosedEvent => e.action === 'closed');
}

export function card(label: string, value: string): string {
  return `<div class="kpi"><div>${escapeHtml(label)}</div><div>${value}</div></div>`;
}

/**
 * A self-contained HTML report of an optimisation (RESEARCH §3, §5): the best trial and its equity, the objective
 * over every 2-parameter slice around the best as heatmaps, the overfitting statistics with their inputs, the PBO
 * logit histogram, the Monte Carlo drawdown distribution, and every trial in a table that sorts by any column on a
 * click (the page's one inline script; nothing is fetched). Every user text is escaped; the same study renders the
 * same bytes.
 *
 * @example
 * ```ts
 * const study = await optimize({ source, strategy, sampler: 'grid' });
 * await writeFile('optimize.html', optimizeHtmlReport(study));
 * ```
 */
export function optimizeHtmlReport(study: OptimizeResult, options: OptimizeHtmlOptions = {}): string {
  const title = options.title ?? `Optimisation: ${study.strategy}`;
  const keys = study.trials.length === 0 ? [] : Object.keys(study.trials[0]!.params);
  const rankOf = new Map(study.ranking.map((id, i) => [id, i + 1]));
  const minimise = study.objective.direction === 'minimize';
  const range = study.timerange === null ? 'all the data' : formatTimeRange(study.timerange);
  const span = study.span === null ? 'no candle inside the range' : `${utcMinute(study.span.from)} → ${utcMinute(study.span.to)} UTC`;
  const best = study.best;
  const o = study.overfitting;

  const cards = [
    card('Trials', String(study.trials.length)),
    card(`Best ${study.objective.statistic}`, best === null ? '—' : escapeHtml(num(best.objective))),
    card('Best signals', best === null ? '—' : String(best.statistics.totalSignals)),
    card('Best total PnL', best === null ? '—' : signed(best.statistics.totalPnl, `${num(best.statistics.totalPnl)} %`)),
    card('PBO', o === null || o.pbo.pbo === null ? '—' : escapeHtml(`${Number((o.pbo.pbo * 100).toFixed(1))} %`)),
    card('DSR', o === null || o.dsr.dsr === null ? '—' : escapeHtml(num(o.dsr.dsr))),
  ];

  const equity =
    best === null
      ? ''
      : [
          '<section id="equity">',
          '<h2>Best trial: cumulative PnL of its closed signals (% points)</h2>',
          lineChart([{ name: best.name, color: EQUITY, points: equityCurve(closedOnly(study.bestClosed), study.span?.from), steps: true }], {
            title: 'Best trial equity',
            width: CHART_WIDTH,
            fontSize: FONT,
            height: 260,
            xDomain: study.span === null ? undefined : [study.span.from, study.span.to],
            empty: 'No closed signals',
          }),
          '</section>',
        ].join('\n');

  const heatmaps =
    best === null || study.neighbourhoods.length === 0
      ? ''
      : [
          '<section id="slices">',
          `<h2>${escapeHtml(study.objective.statistic)} around the best, by pairs of parameters (the others at the best's values)</h2>`,
          '<p class="muted">A plateau of similar colours is an edge that does not hang on one exact value; a lone bright cell is a spike.</p>',
          ...study.neighbourhoods.map((n) => `<div class="wide">\n${objectiveHeatmap(n, best.params, { objective: study.objective.statistic, minimise })}\n</div>`),
          '</section>',
        ].join('\n');

  const overfitting =
    o === null
      ? ['<section id="overfitting">', '<h2>Overfitting</h2>', `<p class="muted">${escapeHtml(study.overfittingReason ?? '')}</p>`, '</section>'].join('\n')
      : [
          '<section id="overfitting">',
          `<h2>Overfitting statistics of the best (${escapeHtml(o.trial)}) against all ${study.trials.length} trials</h2>`,
          overfittingTable([
            psrRow('PSR (probabilistic Sharpe ratio vs 0)', o.psr),
            dsrRow(o.dsr),
            pboRow('PBO (CSCV)', o.pbo.pbo, `T = ${o.pbo.T} periods, N = ${o.pbo.N} trials, S = ${o.pbo.S} blocks, ${o.pbo.combinations} combinations, mean logit ${num(o.pbo.meanLogit)}`, o.pbo.reason),
            ...monteCarloRows(o.monteCarlo),
            randomEntryRow(o.randomEntry),
          ]),
          '</section>',
          pboHistogramSection(o.pbo.histogram, `${o.pbo.combinations} combinations of S = ${o.pbo.S} blocks over T = ${o.pbo.T} periods and N = ${o.pbo.N} trials.`),
          monteCarloSection(o.monteCarlo, `The best trial's closed signals, reshuffled.`),
        ].join('\n');

  const columns: SortableColumn[] = [
    { label: 'Rank', num: true },
    { label: 'Trial', num: true },
    ...keys.map((k) => ({ label: k, num: true })),
    { label: study.objective.statistic, num: true },
    ...STATISTIC_COLUMNS.map((c) => ({ label: c.label, num: true })),
    { label: 'Feasible' },
  ];
  const trials = [
    '<section id="trials">',
    `<h2>Every trial (the registry), in trial order: click a column to sort</h2>`,
    study.requirements.length === 0 ? '' : `<p class="muted">Requirements: ${escapeHtml(study.requirements.join(', '))}; a trial failing one is ranked after every feasible one.</p>`,
    `<div class="wide">\n${sortableTable(columns, study.trials.map((t) => trialRow(t, rankOf.get(t.id)!, keys)), 'trials-table')}\n</div>`,
    '</section>',
  ].filter((l) => l !== '').join('\n');

  const body = [
    '<main>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(`${study.trials.length} trials, sampler ${study.sampler}, seed ${study.seed}, objective ${study.objective.statistic} (${study.objective.direction}), decisions over ${range}`)}: ${escapeHtml(span)}</p>`,
    best === null ? `<p>No best: ${escapeHtml(study.overfittingReason ?? '')}</p>` : `<p>Best: <strong>${escapeHtml(best.name)}</strong> (trial ${best.id})</p>`,
    '</header>',
    `<section class="kpis" id="cards">\n${cards.join('\n')}\n</section>`,
    equity,
    heatmaps,
    overfitting,
    trials,
    '</main>',
    SORT_SCRIPT,
  ].filter((l) => l !== '').join('\n');
  return htmlDocument(title, body);
}
