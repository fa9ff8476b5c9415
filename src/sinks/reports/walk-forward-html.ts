import { formatTimeRange } from '../../pipelines/timerange.js';
import type { WalkForwardFold, WalkForwardResult } from '../../pipelines/walk-forward.js';
import { equityCurve } from './equity.js';
import { escapeHtml } from './html-escape.js';
import { htmlDocument, htmlTable, signed, utcMinute } from './html-page.js';
import { card, closedOnly, statisticCell, STATISTIC_COLUMNS } from './optimize-html.js';
import {
  CHART_WIDTH,
  dsrRow,
  FONT,
  mergeLogitHistograms,
  monteCarloRows,
  monteCarloSection,
  num,
  overfittingTable,
  pboHistogramSection,
  pboRow,
  psrRow,
  randomEntryRow,
} from './overfitting-html.js';
import { formatDuration } from './report-format.js';
import { SORT_SCRIPT, sortableTable, type SortableCell, type SortableColumn } from './sortable-table.js';
import { lineChart } from './svg-chart.js';
import { timelineChart, type TimelineRow } from './svg-timeline.js';

export interface WalkForwardHtmlOptions {
  readonly title?: string;
}

/** Span colours of the folds' timeline, in legend order. */
export const FOLD_COLORS: Readonly<Record<string, string>> = { train: '#4e79a7', purge: '#bab0ac', test: '#f28e2b', holdout: '#59a14f' };
const EQUITY = '#2563eb';

const duration = (ms: number) => formatDuration(ms / 60_000);

/** The folds as timeline rows (train, purge when there is a gap, test), then the holdout's own row. */
export function foldRows(wf: WalkForwardResult): TimelineRow[] {
  const rows: TimelineRow[] = wf.folds.map((f) => ({
    label: `fold ${f.index}`,
    spans: [
      { from: f.train.from, to: f.train.to, kind: 'train' },
      ...(f.test.from > f.train.to ? [{ from: f.train.to, to: f.test.from, kind: 'purge' }] : []),
      { from: f.test.from, to: f.test.to, kind: 'test' },
    ],
  }));
  if (wf.holdout !== null) rows.push({ label: 'holdout', spans: [{ from: wf.holdout.window.from, to: wf.holdout.window.to, kind: 'holdout' }] });
  return rows;
}

function paramsText(params: Readonly<Record<string, unknown>> | null): string {
  return params === null ? '<span class="muted">no feasible candidate</span>' : escapeHtml(Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(', '));
}

function foldRow(f: WalkForwardFold): SortableCell[] {
  return [
    { html: String(f.index), sort: f.index },
    { html: utcMinute(f.test.from), sort: f.test.from },
    { html: paramsText(f.params), sort: f.name },
    { html: String(f.trials), sort: f.trials },
    { html: escapeHtml(num(f.trainObjective)), sort: f.trainObjective },
    { html: escapeHtml(num(f.testObjective)), sort: f.testObjective },
    ...STATISTIC_COLUMNS.map((c) => statisticCell(f.testStatistics, c.key, c.percent)),
    { html: f.trainPbo?.pbo == null ? '—' : escapeHtml(`${Number((f.trainPbo.pbo * 100).toFixed(1))} %`), sort: f.trainPbo?.pbo ?? null },
  ];
}

function stabilityTable(wf: WalkForwardResult): string {
  const rows = Object.entries(wf.stability.parameters).map(([name, s]) =>
    s.type === 'choice'
      ? [escapeHtml(name), escapeHtml(String(s.mode)), `${num(s.modeShare * 100)} % of folds`, String(s.distinct)]
      : [escapeHtml(name), escapeHtml(`${num(s.min)} … ${num(s.max)} (mean ${num(s.mean)}, std ${num(s.stdDev)})`), `${num(s.rangeShare * 100)} % of the range`, String(s.distinct)],
  );
  if (rows.length === 0) return '<p class="muted">No fold chose a candidate.</p>';
  return htmlTable(['Parameter', 'Chosen values', 'Spread', 'Distinct'], rows, [false, false, true, true]);
}

/**
 * A self-contained HTML report of a walk-forward analysis (RESEARCH §4, §5): the folds on a timeline (train, purge,
 * test, holdout), the stitched out-of-sample equity, the folds in a sortable table, parameter stability, the
 * overfitting statistics with their inputs, the folds' train-study PBO logits in one histogram and the Monte Carlo
 * drawdown distribution of the out-of-sample trades. One inline script (the table sort); nothing is fetched; every
 * user text escaped; the same analysis renders the same bytes.
 *
 * @example
 * ```ts
 * const wf = await walkForward({ source, strategy, train: 3 * DAY, test: DAY });
 * await writeFile('walk-forward.html', walkForwardHtmlReport(wf));
 * ```
 */
export function walkForwardHtmlReport(wf: WalkForwardResult, options: WalkForwardHtmlOptions = {}): string {
  const title = options.title ?? `Walk-forward: ${wf.strategy}`;
  const s = wf.settings;
  const oos = wf.outOfSample;
  const o = wf.overfitting;
  const settings = `train ${duration(s.train)}, test ${duration(s.test)}, step ${duration(s.step)}, ${s.anchored ? 'anchored' : 'rolling'}, purge ${s.purge === 0 ? 'none' : duration(s.purge)}, holdout ${s.holdout === 0 ? 'none' : duration(s.holdout)}`;

  const cards = [
    card('Folds', String(wf.folds.length)),
    card('Trials (all folds)', String(o.trials)),
    card('Out-of-sample signals', String(oos.statistics.totalSignals)),
    card('Out-of-sample PnL', signed(oos.statistics.totalPnl, `${num(oos.statistics.totalPnl)} %`)),
    card('WF efficiency', escapeHtml(num(wf.efficiency.efficiency))),
    card('DSR', o.dsr?.dsr == null ? '—' : escapeHtml(num(o.dsr.dsr))),
  ];

  const columns: SortableColumn[] = [
    { label: 'Fold', num: true },
    { label: 'Test from' },
    { label: 'Chosen' },
    { label: 'Trials', num: true },
    { label: 'Train obj.', num: true },
    { label: 'Test obj.', num: true },
    ...STATISTIC_COLUMNS.map((c) => ({ label: c.label, num: true })),
    { label: 'Train PBO', num: true },
  ];

  const pboLogits = mergeLogitHistograms(wf.folds.map((f) => f.trainPbo?.histogram ?? null));
  const knownPbo = o.pbo.folds.filter((p) => p !== null).length;
  const holdout =
    wf.holdout === null
      ? ''
      : [
          '<section id="holdout">',
          `<h2>Holdout ${utcMinute(wf.holdout.window.from)} → ${utcMinute(wf.holdout.window.to)} UTC (the last fold's choice, run once)</h2>`,
          `<p>${paramsText(wf.holdout.params)}</p>`,
          wf.holdout.statistics === null
            ? ''
            : htmlTable(
                STATISTIC_COLUMNS.map((c) => c.label),
                [STATISTIC_COLUMNS.map((c) => statisticCell(wf.holdout!.statistics, c.key, c.percent).html)],
                STATISTIC_COLUMNS.map(() => true),
              ),
          '</section>',
        ].filter((l) => l !== '').join('\n');

  const body = [
    '<main>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(`${wf.folds.length} folds: ${settings}`)}${wf.timerange === null ? '' : escapeHtml(`; time range ${formatTimeRange(wf.timerange)}`)}${wf.span === null ? '' : `; decisions ${utcMinute(wf.span.from)} → ${utcMinute(wf.span.to)} UTC`}</p>`,
    '</header>',
    `<section class="kpis" id="cards">\n${cards.join('\n')}\n</section>`,
    '<section id="folds">',
    '<h2>Folds: train, purge and test windows (UTC)</h2>',
    timelineChart(foldRows(wf), { title: 'Walk-forward folds', colors: FOLD_COLORS, width: CHART_WIDTH, fontSize: FONT }),
    '</section>',
    '<section id="equity">',
    '<h2>Stitched out-of-sample equity: cumulative PnL of every test window\'s closed signals (% points)</h2>',
    lineChart([{ name: 'out of sample', color: EQUITY, points: equityCurve(closedOnly(wf.outOfSampleClosed), oos.window?.from), steps: true }], {
      title: 'Out-of-sample equity',
      width: CHART_WIDTH,
      fontSize: FONT,
      height: 260,
      xDomain: oos.window === null ? undefined : [oos.window.from, oos.window.to],
      empty: 'No out-of-sample closed signals',
    }),
    '</section>',
    '<section id="fold-table">',
    '<h2>Each fold: the train choice and how it did on its test window (statistics of the test window; click a column to sort)</h2>',
    `<div class="wide">\n${sortableTable(columns, wf.folds.map(foldRow), 'folds-table')}\n</div>`,
    '</section>',
    '<section id="stability">',
    `<h2>Parameter stability across ${wf.stability.folds} chosen folds</h2>`,
    `<div class="wide">\n${stabilityTable(wf)}\n</div>`,
    `<p>Walk-forward efficiency (out-of-sample / in-sample annualised return): <strong>${escapeHtml(num(wf.efficiency.efficiency))}</strong>${wf.efficiency.reason === null ? '' : ` <span class="muted">${escapeHtml(wf.efficiency.reason)}</span>`} <span class="muted">${escapeHtml(`(out of sample ${num(wf.efficiency.outOfSample)}, in sample ${num(wf.efficiency.inSample)})`)}</span></p>`,
    '</section>',
    '<section id="overfitting">',
    `<h2>Overfitting statistics of the stitched out-of-sample result, counting all ${o.trials} trials</h2>`,
    o.reason === null ? '' : `<p class="muted">${escapeHtml(o.reason)}</p>`,
    overfittingTable([
      psrRow('PSR (probabilistic Sharpe ratio vs 0)', o.psr),
      dsrRow(o.dsr),
      pboRow('Mean PBO of the folds\' train studies', o.pbo.mean, `${knownPbo} of ${o.pbo.folds.length} folds with a PBO`, knownPbo === 0 ? 'no fold had enough periods and trials' : null),
      ...monteCarloRows(o.monteCarlo),
      randomEntryRow(o.randomEntry),
    ]),
    '</section>',
    pboHistogramSection(pboLogits, `Every fold's train study (CSCV over its trials), the logits of all folds together.`),
    monteCarloSection(o.monteCarlo, 'The out-of-sample closed signals, reshuffled.'),
    holdout,
    '</main>',
    SORT_SCRIPT,
  ].filter((l) => l !== '').join('\n');
  return htmlDocument(title, body);
}
