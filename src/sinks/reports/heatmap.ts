import type { Neighbourhood } from '../../research/neighbourhood.js';
import { valueKey, type ParamAssignment } from '../../core/param-space.js';
import { escapeHtml } from './html-escape.js';

export interface ObjectiveHeatmapOptions {
  /** The objective's name (the caption). */
  readonly objective: string;
  /** Lower is better (e.g. maxDrawdown): the colour scale turns round. */
  readonly minimise?: boolean;
  /** Text of an objective value. */
  readonly format?: (value: number) => string;
}

const fmt = (v: number) => Number(v.toPrecision(4)).toString();

/**
 * The objective over a 2-parameter slice around the best trial (RESEARCH §3) as an HTML table: the first axis down,
 * the second across, each cell coloured from worst (red) to best (green) over the slice's values, the best trial's
 * cell outlined, cells without a trial blank. A plateau reads as a block of one colour, a lone spike as one green
 * cell among red ones. Every cell is a `td` (blank ones too), so a slice of r × c values has r·c cells.
 *
 * @example
 * ```ts
 * objectiveHeatmap(study.neighbourhood!, study.best!.params, { objective: 'sharpeRatio' });
 * ```
 */
export function objectiveHeatmap(view: Neighbourhood, best: ParamAssignment, options: ObjectiveHeatmapOptions): string {
  const [a, b] = view.axes;
  const [rows, cols] = view.values;
  const format = options.format ?? fmt;
  const known = view.objective.flat().filter((v): v is number => v !== null);
  const lo = known.length === 0 ? 0 : Math.min(...known);
  const hi = known.length === 0 ? 0 : Math.max(...known);
  const bestA = valueKey(best[a]!);
  const bestB = valueKey(best[b]!);
  const cell = (v: number | null, isBest: boolean, label: string) => {
    if (v === null) return `<td class="hm-empty" title="${escapeHtml(`${label}: no trial`)}"></td>`;
    // 0 = worst, 1 = best of the slice; one value only: the middle.
    const share = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    const good = options.minimise === true ? 1 - share : share;
    const hue = Math.round(good * 130);
    const outline = isBest ? ';outline:2px solid #111827;outline-offset:-2px;font-weight:700' : '';
    const bestAttr = isBest ? ' data-best="true"' : '';
    return `<td class="num"${bestAttr} data-value="${v}" title="${escapeHtml(`${label}: ${format(v)}`)}" style="background:hsl(${hue},70%,${isBest ? 72 : 82}%)${outline}">${escapeHtml(format(v))}</td>`;
  };
  const body = rows.map((r, i) => {
    const cells = cols.map((c, j) => cell(view.objective[i]![j]!, valueKey(r) === bestA && valueKey(c) === bestB, `${a}=${String(r)}, ${b}=${String(c)}`));
    return `<tr><th class="num">${escapeHtml(String(r))}</th>${cells.join('')}</tr>`;
  });
  return [
    `<table class="heatmap" data-axes="${escapeHtml(`${a},${b}`)}">`,
    `<caption class="muted">${escapeHtml(options.objective)} by ${escapeHtml(a)} (down) and ${escapeHtml(b)} (across); outlined: the best</caption>`,
    `<thead><tr><th>${escapeHtml(a)} \\ ${escapeHtml(b)}</th>${cols.map((c) => `<th class="num">${escapeHtml(String(c))}</th>`).join('')}</tr></thead>`,
    `<tbody>\n${body.join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}
