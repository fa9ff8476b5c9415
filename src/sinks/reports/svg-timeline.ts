import { escapeHtml } from './html-escape.js';
import { utcMinute } from './html-page.js';
import { linearScale, timeTicks } from './svg-scale.js';

/** One stretch of time on a timeline row, drawn in its kind's colour. */
export interface TimelineSpan {
  readonly from: number;
  readonly to: number;
  readonly kind: string;
}

export interface TimelineRow {
  readonly label: string;
  readonly spans: readonly TimelineSpan[];
}

export interface TimelineOptions {
  readonly title: string;
  /** Colour of each span kind; the legend lists them in this order. */
  readonly colors: Readonly<Record<string, string>>;
  readonly width?: number;
  readonly fontSize?: number;
  /** Height of one row in the SVG's units. */
  readonly rowHeight?: number;
}

const MARGIN = { top: 8, right: 24, bottom: 52, left: 90 };
const GRID = '#e5e7eb';
const AXIS = '#9ca3af';
const LABEL = '#4b5563';

const coord = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');

/**
 * Rows of time spans on a shared UTC axis as an inline SVG string (e.g. walk-forward folds: train, purge, test, and
 * the holdout): one `<rect class="span" data-kind="…">` per span, the row labels on the left, a legend under the
 * axis. Deterministic; every text escaped.
 *
 * @example
 * ```ts
 * timelineChart([{ label: 'fold 0', spans: [{ from: a, to: b, kind: 'train' }, { from: b, to: c, kind: 'test' }] }], {
 *   title: 'Folds', colors: { train: '#4e79a7', test: '#f28e2b' },
 * });
 * ```
 */
export function timelineChart(rows: readonly TimelineRow[], options: TimelineOptions): string {
  const width = options.width ?? 900;
  const font = options.fontSize ?? 12;
  const rowHeight = options.rowHeight ?? Math.round(font * 1.9);
  const height = MARGIN.top + rows.length * rowHeight + MARGIN.bottom;
  const title = escapeHtml(options.title);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">`;
  const spans = rows.flatMap((r) => r.spans);
  if (spans.length === 0) {
    return `${open}<title>${title}</title><text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="14" fill="${LABEL}">No folds</text></svg>`;
  }
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = top + rows.length * rowHeight;
  const t0 = Math.min(...spans.map((s) => s.from));
  const t1 = Math.max(...spans.map((s) => s.to));
  const x = linearScale([t0, t1], [left, right]);
  const parts: string[] = [open, `<title>${title}</title>`, '<g>'];
  const ticks = timeTicks(t0, t1, Math.max(2, Math.floor((right - left) / (font * 10.5))));
  ticks.values.forEach((t, i) => {
    const px = coord(x(t));
    parts.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="${GRID}" stroke-width="1" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${px}" y="${bottom + 6 + font}" text-anchor="middle" font-size="${font}" fill="${LABEL}">${escapeHtml(ticks.labels[i]!)}</text>`);
  });
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="${AXIS}" stroke-width="1"/>`, '</g>', '<g>');
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    parts.push(`<text x="${left - 8}" y="${coord(y + rowHeight / 2)}" text-anchor="end" dominant-baseline="middle" font-size="${font}" fill="${LABEL}">${escapeHtml(row.label)}</text>`);
    for (const s of row.spans) {
      const px0 = x(s.from);
      const w = Math.max(1, x(s.to) - px0);
      const color = escapeHtml(options.colors[s.kind] ?? AXIS);
      const tip = `${row.label} ${s.kind}: ${utcMinute(s.from)} → ${utcMinute(s.to)} UTC`;
      parts.push(
        `<rect class="span" data-kind="${escapeHtml(s.kind)}" x="${coord(px0)}" y="${coord(y + rowHeight * 0.18)}" width="${coord(w)}" height="${coord(rowHeight * 0.64)}" fill="${color}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
  });
  parts.push('</g>', '<g>');
  let lx = left;
  const ly = bottom + 2 * font + 16;
  for (const [kind, color] of Object.entries(options.colors)) {
    parts.push(`<rect x="${lx}" y="${coord(ly - font + 2)}" width="${font}" height="${font}" fill="${escapeHtml(color)}"/>`);
    parts.push(`<text x="${lx + font + 5}" y="${coord(ly)}" font-size="${font}" fill="${LABEL}">${escapeHtml(kind)}</text>`);
    lx += font + 5 + Math.ceil(kind.length * font * 0.62) + 18;
  }
  parts.push('</g>', '</svg>');
  return parts.join('\n');
}
