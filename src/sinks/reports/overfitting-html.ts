import type { LogitHistogram } from '../../research/cscv.js';
import type { DsrResult } from '../../research/dsr.js';
import type { MonteCarloResult } from '../../research/monte-carlo.js';
import type { PsrResult } from '../../research/psr.js';
import type { RandomEntryResult } from '../../research/random-entry.js';
import { escapeHtml } from './html-escape.js';
import { htmlTable } from './html-page.js';
import { histogramChart } from './svg-histogram.js';

/*
 * The overfitting sections shared by the optimize and walk-forward HTML reports (RESEARCH §5): each statistic with
 * the inputs that define it, the PBO logits' histogram and the Monte Carlo drawdown distribution.
 */

export const CHART_WIDTH = 900;
export const FONT = 14;
const BAR = '#4e79a7';
const OVERFIT = '#e15759';
const MARK = '#111827';
const P_MARK = '#6b7280';

/** Up to 4 significant digits, no trailing zeros; `—` for null. */
export const num = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(4)).toString());
const pct = (v: number) => `${Number((v * 100).toFixed(1))} %`;
const muted = (text: string) => `<span class="muted">${escapeHtml(text)}</span>`;

/** One line of the overfitting table: the statistic, its value (or why there is none) and its inputs. */
export interface OverfittingRow {
  readonly statistic: string;
  readonly value: string;
  readonly inputs: string;
}

export function psrRow(label: string, psr: PsrResult | null): OverfittingRow {
  if (psr === null) return { statistic: label, value: '—', inputs: '' };
  return {
    statistic: label,
    value: psr.psr === null ? `— ${muted(psr.reason ?? '')}` : escapeHtml(num(psr.psr)),
    inputs: escapeHtml(`T = ${psr.T}, SR = ${num(psr.sharpe)}, skew = ${num(psr.skewness)}, kurtosis = ${num(psr.kurtosis)}, SR* = ${num(psr.benchmarkSharpe)}`),
  };
}

export function dsrRow(dsr: DsrResult | null): OverfittingRow {
  if (dsr === null) return { statistic: 'DSR', value: '—', inputs: '' };
  return {
    statistic: 'DSR (deflated Sharpe ratio)',
    value: dsr.dsr === null ? `— ${muted(dsr.reason ?? '')}` : escapeHtml(num(dsr.dsr)),
    inputs: escapeHtml(`T = ${dsr.T}, N = ${dsr.N} trials, V = ${num(dsr.V)}, SR = ${num(dsr.sharpe)}, expected max SR = ${num(dsr.expectedMaxSharpe)}`),
  };
}

export function monteCarloRows(mc: MonteCarloResult): OverfittingRow[] {
  const inputs = escapeHtml(`${mc.trades} trades, ${mc.runs} runs, seed ${mc.seed}`);
  if (mc.maxDrawdown === null || mc.longestLosingStreak === null) return [{ statistic: 'Monte Carlo of trade order', value: `— ${muted(mc.reason ?? '')}`, inputs }];
  const dd = mc.maxDrawdown;
  const ls = mc.longestLosingStreak;
  return [
    { statistic: 'Max drawdown, reordered (p5 / p50 / p95)', value: escapeHtml(`${num(dd.p5)} / ${num(dd.p50)} / ${num(dd.p95)} %`), inputs: `${inputs}; ${escapeHtml(`actual ${num(dd.actual)} %`)}` },
    { statistic: 'Longest losing streak, reordered (p5 / p50 / p95)', value: escapeHtml(`${num(ls.p5)} / ${num(ls.p50)} / ${num(ls.p95)}`), inputs: `${inputs}; ${escapeHtml(`actual ${num(ls.actual)}`)}` },
  ];
}

export function randomEntryRow(r: RandomEntryResult | null): OverfittingRow {
  if (r === null) return { statistic: 'Random-entry p-value', value: `— ${muted('no candle closes of the span')}`, inputs: '' };
  const random = r.randomTotalPnl === null ? '' : `; random total PnL p5 / p50 / p95 = ${num(r.randomTotalPnl.p5)} / ${num(r.randomTotalPnl.p50)} / ${num(r.randomTotalPnl.p95)} %`;
  return {
    statistic: 'Random-entry p-value',
    value: r.pValue === null ? `— ${muted(r.reason ?? '')}` : escapeHtml(num(r.pValue)),
    inputs: escapeHtml(`${r.trades} trades over ${r.candles} candles, ${r.runs} runs, seed ${r.seed}; strategy total PnL ${num(r.strategyTotalPnl)} %${random}`),
  };
}

export function pboRow(label: string, pbo: number | null, inputs: string, reason: string | null = null): OverfittingRow {
  return { statistic: label, value: pbo === null ? `— ${muted(reason ?? '')}` : escapeHtml(pct(pbo)), inputs: escapeHtml(inputs) };
}

/** The table of every overfitting statistic. */
export function overfittingTable(rows: readonly OverfittingRow[]): string {
  return `<div class="wide">\n${htmlTable(['Statistic', 'Value', 'Inputs'], rows.map((r) => [escapeHtml(r.statistic), r.value, `<span style="white-space:normal">${r.inputs}</span>`]), [false, true, false])}\n</div>`;
}

/** Sums logit histograms (bins aligned on multiples of their common width) into one. */
export function mergeLogitHistograms(histograms: readonly (LogitHistogram | null)[]): LogitHistogram | null {
  const known = histograms.filter((h): h is LogitHistogram => h !== null && h.counts.length > 0);
  if (known.length === 0) return null;
  const w = known[0]!.binWidth;
  const start = Math.min(...known.map((h) => h.from));
  const end = Math.max(...known.map((h) => h.from + h.counts.length * w));
  const counts = new Array<number>(Math.round((end - start) / w)).fill(0);
  for (const h of known) {
    const offset = Math.round((h.from - start) / w);
    h.counts.forEach((c, i) => (counts[offset + i]! += c));
  }
  return { from: start, binWidth: w, counts };
}

/** The PBO logits' histogram: λ ≤ 0 (the in-sample best ranked in the lower half out of sample) in red. */
export function pboHistogramSection(histogram: LogitHistogram | null, caption: string): string {
  const chart = histogramChart(histogram ?? { from: 0, binWidth: 1, counts: [] }, {
    title: 'PBO logit histogram',
    width: CHART_WIDTH,
    fontSize: FONT,
    color: BAR,
    colorBelow: OVERFIT,
    splitAt: 0,
    markers: [{ x: 0, label: 'λ = 0', color: MARK }],
    empty: 'PBO undefined: no logits',
  });
  return [
    '<section id="pbo">',
    '<h2>PBO: logits λ of the in-sample best\'s out-of-sample rank (one per CSCV combination)</h2>',
    `<p class="muted">${escapeHtml(caption)} Red bars: λ ≤ 0, the in-sample best fell into the lower half out of sample.</p>`,
    chart,
    '</section>',
  ].join('\n');
}

/** The Monte Carlo max-drawdown distribution with p5, p50, p95 and the actual order's drawdown marked. */
export function monteCarloSection(mc: MonteCarloResult, caption: string): string {
  const dd = mc.maxDrawdown;
  const markers =
    dd === null
      ? []
      : [
          { x: dd.p5, label: 'p5', color: P_MARK, dashed: true },
          { x: dd.p50, label: 'p50', color: P_MARK, dashed: true },
          { x: dd.p95, label: 'p95', color: P_MARK, dashed: true },
          { x: dd.actual, label: `actual ${num(dd.actual)} %`, color: MARK },
        ];
  const chart = histogramChart(mc.drawdownHistogram ?? { from: 0, binWidth: 1, counts: [] }, {
    title: 'Monte Carlo max drawdown distribution',
    width: CHART_WIDTH,
    fontSize: FONT,
    color: BAR,
    formatX: (v, d) => `${v.toFixed(Math.min(d, 4))}%`,
    markers,
    empty: mc.reason ?? 'No runs',
  });
  return [
    '<section id="monte-carlo">',
    `<h2>Monte Carlo of trade order: max drawdown over ${mc.runs} reshuffles (% points)</h2>`,
    `<p class="muted">${escapeHtml(`${caption} ${mc.trades} trades, seed ${mc.seed}.`)}</p>`,
    chart,
    '</section>',
  ].join('\n');
}
