import { formatNumber, formatPercent } from '../core/format.js';
import { escapeHtml } from '../sinks/reports/html-escape.js';
import { htmlDocument, htmlTable, signed, utcMinute } from '../sinks/reports/html-page.js';
import { lineChart } from '../sinks/reports/svg-chart.js';
import type { GenerateResult } from './study.js';

const n = (x: number | null | undefined) => escapeHtml(formatNumber(x ?? null));

/** A long reason shortened in the table, whole in its tooltip (and in generate.json). */
function reasonCell(text: string, max = 70): string {
  if (text.length <= max) return escapeHtml(text);
  return `<span title="${escapeHtml(text)}">${escapeHtml(text.slice(0, max - 1))}…</span>`;
}

/** The study's HTML page: the verdict with DSR and PBO, the out-of-sample equity of the best, every candidate. */
export function generateHtmlReport(result: GenerateResult): string {
  const title = `Generated strategies: ${result.model}`;
  const o = result.overfitting;
  const rows = result.candidates.map((c) => {
    const wf = c.walkForward;
    const verdict = c.verdict === 'rejected' ? `rejected (${escapeHtml(c.kind ?? '')})` : c.duplicateOf !== null ? `near-duplicate of ${escapeHtml(c.duplicateOf.of)}` : 'accepted';
    return [
      c.id === result.best ? `<strong>${escapeHtml(c.id)}</strong>` : escapeHtml(c.id),
      escapeHtml(c.parent ?? ''),
      escapeHtml(c.exportedName ?? ''),
      verdict,
      `<code>${escapeHtml((c.sourceHash ?? '').slice(0, 12))}</code>`,
      String(c.trainStatistics?.totalSignals ?? ''),
      c.trainStatistics ? signed(c.trainStatistics.totalPnl, formatPercent(c.trainStatistics.totalPnl)) : '',
      String(wf?.outOfSample.totalSignals ?? ''),
      wf ? signed(wf.outOfSample.totalPnl, formatPercent(wf.outOfSample.totalPnl)) : '',
      wf ? n(wf.objective) : '',
      wf?.holdout ? signed(wf.holdout.totalPnl, formatPercent(wf.holdout.totalPnl)) : '',
      wf ? String(wf.trials) : '',
      reasonCell(c.reasons.join('; ')),
    ];
  });
  let equity = 0;
  const bestClosed = result.best === null ? [] : (result.outOfSampleClosed[result.best] ?? []);
  const oos = result.folds.folds.length === 0 ? null : ([result.folds.folds[0]!.test.from, result.folds.folds.at(-1)!.test.to] as const);
  // From 0 at the start of the out-of-sample span: the first trade's result is a step, not the line's origin.
  const points = [
    ...(oos === null || bestClosed.length === 0 ? [] : [{ x: oos[0], y: 0 }]),
    ...bestClosed.flatMap((e) => (e.action === 'closed' ? [{ x: e.now, y: (equity += e.pnl.pnlPercentage) }] : [])),
  ];
  const body = [
    '<main>',
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>The model saw ${utcMinute(result.shown.from)} → ${utcMinute(result.shown.to)} UTC; out of sample: ${oos === null ? '—' : `${utcMinute(oos[0])} → ${utcMinute(oos[1])} UTC`} (${result.folds.folds.length} folds)${result.folds.holdout ? `; holdout ${utcMinute(result.folds.holdout.from)} → ${utcMinute(result.folds.holdout.to)} UTC` : ''}.</p>`,
    `<p><strong>${result.verdict.edge ? 'Edge' : 'No edge'}</strong>: ${escapeHtml(result.verdict.text)}</p>`,
    `<p>Trials counted (N): ${o.trials}; V = ${escapeHtml(o.sharpeVariance.toExponential(4))}; DSR ${n(o.dsr?.dsr)}${o.dsr?.reason ? ` (${escapeHtml(o.dsr.reason)})` : ''}; PSR(0) ${n(o.psr?.psr)}; PBO ${n(o.pbo?.pbo)}${o.pbo?.reason ? ` (${escapeHtml(o.pbo.reason)})` : o.pbo ? ` (S = ${o.pbo.S}, T = ${o.pbo.T}, ${o.pbo.combinations} combinations)` : ''}.</p>`,
    '</header>',
    '<section>',
    `<h2>Out-of-sample equity of the best: ${escapeHtml(result.best ?? '—')} (cumulative PnL of closed signals, % points)</h2>`,
    lineChart([{ name: result.best ?? 'best', color: '#2563eb', points, steps: true }], { title: 'Out-of-sample equity of the best candidate', height: 300, xDomain: oos ?? undefined, empty: 'No closed signals out of sample' }),
    '</section>',
    '<section>',
    '<h2>Candidates</h2>',
    htmlTable(
      ['Candidate', 'Improves', 'Exported name', 'Verdict', 'Code sha256', 'Train signals', 'Train PnL', 'OOS signals', 'OOS PnL', `OOS ${escapeHtml(result.settings.objective)}`, 'Holdout PnL', 'Trials', 'Reasons'],
      rows,
      [false, false, false, false, false, true, true, true, true, true, true, true, false],
    ),
    '</section>',
    '</main>',
  ].join('\n');
  return htmlDocument(title, body);
}
