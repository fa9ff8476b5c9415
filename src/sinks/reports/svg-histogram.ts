import { escapeHtml } from './html-escape.js';
import { linearScale, niceTicks, stepDecimals } from './svg-scale.js';

/** Counts in equal bins: bin i covers [from + i·binWidth, from + (i+1)·binWidth); width 0 is one value. */
export interface HistogramBins {
  readonly from: number;
  readonly binWidth: number;
  readonly counts: readonly number[];
}

/** A vertical line at a value of the x axis, labelled (a threshold, a percentile, the actual value). */
export interface HistogramMarker {
  readonly x: number;
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
}

export interface HistogramOptions {
  /** Read by screen readers (`aria-label`) and shown as a tooltip. */
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
  readonly fontSize?: number;
  /** Bar colour. */
  readonly color?: string;
  /** Bars whose whole bin lies at or below `splitAt` take `colorBelow` (e.g. the overfit logits λ ≤ 0). */
  readonly splitAt?: number;
  readonly colorBelow?: string;
  /** Text of an x value; `decimals` suits the tick step. */
  readonly formatX?: (value: number, decimals: number) => string;
  readonly markers?: readonly HistogramMarker[];
  /** Shown instead of a chart when there are no counts. */
  readonly empty?: string;
}

const MARGIN = { top: 26, right: 24, bottom: 34, left: 64 };
const GRID = '#e5e7eb';
const AXIS = '#9ca3af';
const LABEL = '#4b5563';

const coord = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');

/**
 * A histogram as an inline SVG string: one `<rect class="bar">` per bin (zero counts too, with height 0, so the bars
 * match the bins one to one), a count axis at round values, an x axis at round values and labelled markers.
 * Deterministic: coordinates are rounded to 0.1 px and every label comes from the data.
 *
 * @example
 * ```ts
 * histogramChart({ from: -2, binWidth: 0.25, counts: [1, 4, 9, 3] }, { title: 'Logits', splitAt: 0, markers: [{ x: 0, label: 'λ = 0', color: '#111' }] });
 * ```
 */
export function histogramChart(bins: HistogramBins, options: HistogramOptions): string {
  const width = options.width ?? 900;
  const height = options.height ?? 240;
  const font = options.fontSize ?? 12;
  const title = escapeHtml(options.title);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">`;
  const total = bins.counts.reduce((a, b) => a + b, 0);
  if (bins.counts.length === 0 || total === 0) {
    const text = escapeHtml(options.empty ?? 'No data');
    return `${open}<title>${title}</title><rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="#fafafa" stroke="${GRID}"/><text x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle" font-size="14" fill="${LABEL}">${text}</text></svg>`;
  }
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  // A single value (width 0) still gets a bar of visible width around it.
  const binWidth = bins.binWidth > 0 ? bins.binWidth : Math.max(Math.abs(bins.from) * 0.1, 1);
  const from = bins.binWidth > 0 ? bins.from : bins.from - binWidth / 2;
  let x0 = from;
  let x1 = from + bins.counts.length * binWidth;
  for (const m of options.markers ?? []) {
    x0 = Math.min(x0, m.x);
    x1 = Math.max(x1, m.x);
  }
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor((right - left) / (font * 7))));
  const x = linearScale([x0, x1], [left, right]);
  const maxCount = Math.max(...bins.counts);
  const yTicks = niceTicks(0, maxCount, Math.max(2, Math.round((bottom - top) / 40)));
  const yTop = yTicks.values[yTicks.values.length - 1]!;
  const y = linearScale([0, yTop], [bottom, top]);
  const formatX = options.formatX ?? ((v: number, d: number) => v.toFixed(d));
  const xDecimals = stepDecimals(xTicks.step);

  const parts: string[] = [open, `<title>${title}</title>`, '<g>'];
  for (const v of yTicks.values) {
    const py = coord(y(v));
    parts.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="${v === 0 ? AXIS : GRID}" stroke-width="1"/>`);
    parts.push(`<text x="${left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="${font}" fill="${LABEL}">${v}</text>`);
  }
  for (const v of xTicks.values) {
    if (v < x0 - 1e-12 || v > x1 + 1e-12) continue;
    const px = coord(x(v));
    parts.push(`<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="${AXIS}" stroke-width="1"/>`);
    parts.push(`<text x="${px}" y="${bottom + 8 + font}" text-anchor="middle" font-size="${font}" fill="${LABEL}">${escapeHtml(formatX(v, xDecimals))}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="${AXIS}" stroke-width="1"/>`, '</g>', '<g>');
  const color = escapeHtml(options.color ?? '#4e79a7');
  const below = escapeHtml(options.colorBelow ?? color);
  bins.counts.forEach((count, i) => {
    const lo = from + i * binWidth;
    const hi = lo + binWidth;
    const px0 = x(lo);
    const px1 = x(hi);
    const py = y(count);
    const fill = options.splitAt !== undefined && hi <= options.splitAt + 1e-12 ? below : color;
    const range = bins.binWidth > 0 ? `[${formatX(lo, 4)}, ${formatX(hi, 4)})` : formatX(bins.from, 4);
    parts.push(
      `<rect class="bar" data-count="${count}" x="${coord(px0 + 0.5)}" y="${coord(py)}" width="${coord(Math.max(0.5, px1 - px0 - 1))}" height="${coord(bottom - py)}" fill="${fill}"><title>${escapeHtml(`${range}: ${count}`)}</title></rect>`,
    );
  });
  parts.push('</g>');
  const markers = options.markers ?? [];
  if (markers.length > 0) {
    parts.push('<g>');
    markers.forEach((m, i) => {
      const px = coord(x(m.x));
      const c = escapeHtml(m.color);
      const dash = m.dashed === true ? ' stroke-dasharray="4 3"' : '';
      // Labels alternate between a row above the plot and one just inside its top, so neighbouring markers do not
      // overwrite each other.
      const ly = top - 8 + (i % 2) * (font + 4);
      const anchor = x(m.x) > (left + right) / 2 ? 'end' : 'start';
      const dx = anchor === 'end' ? -4 : 4;
      parts.push(`<line class="marker" x1="${px}" y1="${top - 4}" x2="${px}" y2="${bottom}" stroke="${c}" stroke-width="1.6"${dash}/>`);
      parts.push(
        `<text x="${coord(x(m.x) + dx)}" y="${coord(ly)}" text-anchor="${anchor}" font-size="${font}" fill="${c}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(m.label)}</text>`,
      );
    });
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}
