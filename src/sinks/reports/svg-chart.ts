import { downsample, type Point } from './downsample.js';
import { escapeHtml } from './html-escape.js';
import { linearScale, niceTicks, stepDecimals, timeTicks } from './svg-scale.js';

/** One line of a chart. */
export interface ChartSeries {
  readonly name: string;
  /** Any CSS colour, e.g. `#2563eb`. */
  readonly color: string;
  /** In x order; x is a timestamp in ms. */
  readonly points: readonly Point[];
  /** Shade the area between the line and y = 0 (the drawdown chart). */
  readonly fill?: boolean;
  /** Mark the lowest point with a dot and its value (the deepest drawdown). */
  readonly markMin?: boolean;
  /**
   * Hold each value until the next point (a step line): realised pnl changes only when a trade closes, so a
   * straight segment between two closes would show gains that did not exist yet. Long series that must be
   * downsampled are drawn as plain lines.
   */
  readonly steps?: boolean;
}

export interface LineChartOptions {
  /** Read by screen readers (`aria-label`) and shown as a tooltip. */
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
  /** Points drawn per series at most; longer series are {@link downsample}d. Default 1200. */
  readonly maxPoints?: number;
  /** The x range to show (e.g. the whole backtest period); default: the data's. */
  readonly xDomain?: readonly [number, number];
  /** Text of a y value; `decimals` suits the tick step. Default: a percentage. */
  readonly formatY?: (value: number, decimals: number) => string;
  /** Shown instead of a chart when no series has a point. */
  readonly empty?: string;
  /** The values are never above 0 (a drawdown): a flat series at 0 gets an axis below 0 only. */
  readonly nonPositive?: boolean;
  /** Keep 0 inside the y axis (default). Prices and equity in money set false: the axis then hugs the data. */
  readonly includeZero?: boolean;
  /** Symbols drawn over the lines at data coordinates (entries and exits on a price chart). */
  readonly marks?: readonly ChartMark[];
  /** Label size in px of the SVG's own units (default 12); larger keeps labels legible when a wide chart is shrunk. */
  readonly fontSize?: number;
}

/** A symbol at a data point: ▲ (`up`), ▼ (`down`), ✕ (`cross`), a small ✕ (`small-cross`) or – (`dash`), in `color`. */
export interface ChartMark {
  readonly x: number;
  readonly y: number;
  readonly shape: 'up' | 'down' | 'cross' | 'small-cross' | 'dash';
  readonly color: string;
  /** Tooltip text (escaped here). */
  readonly title?: string;
}

const MARGIN = { top: 14, right: 28, bottom: 34, left: 76 };
const HALF_HOUR = 30 * 60_000;
const GRID = '#e5e7eb';
const AXIS = '#9ca3af';
const LABEL = '#4b5563';

const coord = (v: number) => (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');
const percent = (v: number, decimals: number) => `${v.toFixed(decimals)}%`;

function pointsAttr(points: readonly Point[], x: (v: number) => number, y: (v: number) => number): string {
  return points.map((p) => `${coord(x(p.x))},${coord(y(p.y))}`).join(' ');
}

/** A step line through the points: each value holds until the next point's x. */
export function stepPoints(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < points.length; i++) {
    if (i > 0 && points[i]!.y !== points[i - 1]!.y) out.push({ x: points[i]!.x, y: points[i - 1]!.y });
    out.push(points[i]!);
  }
  return out;
}

/**
 * The y domain and its ticks: the data and 0, with a little room above and below (none beyond 0 when 0 is the
 * bound), and round tick values inside it. Round domains (d3's `nice`) can waste a sixth of the chart.
 */
export function yAxis(
  min: number,
  max: number,
  target: number,
  nonPositive = false,
  includeZero = true,
): { domain: [number, number]; ticks: number[]; step: number } {
  if (!includeZero) {
    if (min === max) {
      const t = niceTicks(min, max, target);
      return { domain: [t.values[0]!, t.values[t.values.length - 1]!], ticks: [...t.values], step: t.step };
    }
    const pad = (max - min) * 0.04;
    const t = niceTicks(min - pad, max + pad, target);
    return { domain: [min - pad, max + pad], ticks: t.values.filter((v) => v >= min - pad && v <= max + pad), step: t.step };
  }
  let lo = Math.min(0, min);
  let hi = Math.max(0, max);
  if (lo === hi) {
    const t = nonPositive && lo === 0 ? niceTicks(-1, 0, target) : niceTicks(lo, hi, target);
    return { domain: [t.values[0]!, t.values[t.values.length - 1]!], ticks: [...t.values], step: t.step };
  }
  const pad = (hi - lo) * 0.04;
  if (lo < 0) lo -= pad;
  if (hi > 0) hi += pad;
  const t = niceTicks(lo, hi, target);
  return { domain: [lo, hi], ticks: t.values.filter((v) => v >= lo && v <= hi), step: t.step };
}

function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * A line chart as an inline SVG string: a y axis at round values (0 always included and drawn darker), a UTC time
 * axis, one polyline per series (downsampled for long series, keeping their extremes). Deterministic: coordinates
 * are rounded to 0.1 px and every label comes from the data. Series names and the title are escaped.
 *
 * @example
 * ```ts
 * const svg = lineChart([{ name: 'equity', color: '#2563eb', points: equityCurve(summary.closed) }], {
 *   title: 'Equity curve',
 * });
 * ```
 */
export function lineChart(series: readonly ChartSeries[], options: LineChartOptions): string {
  const width = options.width ?? 1100;
  const height = options.height ?? 300;
  const font = options.fontSize ?? 12;
  const formatY = options.formatY ?? percent;
  const title = escapeHtml(options.title);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">`;
  const withPoints = series.filter((s) => s.points.length > 0);
  if (withPoints.length === 0) {
    const text = escapeHtml(options.empty ?? 'No data');
    return `${open}<title>${title}</title><rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="#fafafa" stroke="${GRID}"/><text x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle" font-size="14" fill="${LABEL}">${text}</text></svg>`;
  }

  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;

  const [dataX0, dataX1] = extent(withPoints.flatMap((s) => [s.points[0]!.x, s.points[s.points.length - 1]!.x]));
  let [x0, x1] = options.xDomain ?? [dataX0, dataX1];
  x0 = Math.min(x0, dataX0);
  x1 = Math.max(x1, dataX1);
  // One instant (a single trade closed when the run started) still gets a readable hour around it.
  if (x1 - x0 < 60_000) {
    x0 -= HALF_HOUR;
    x1 += HALF_HOUR;
  }
  const [dataY0, dataY1] = extent(withPoints.flatMap((s) => s.points.map((p) => p.y)));
  const yTicks = yAxis(dataY0, dataY1, Math.max(2, Math.round((bottom - top) / 40)), options.nonPositive, options.includeZero ?? true);
  const x = linearScale([x0, x1], [left, right]);
  const y = linearScale(yTicks.domain, [bottom, top]);
  const decimals = stepDecimals(yTicks.step);

  const parts: string[] = [open, `<title>${title}</title>`];
  const grid: string[] = [];
  for (const v of yTicks.ticks) {
    const py = coord(y(v));
    const stroke = v === 0 ? AXIS : GRID;
    grid.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="${stroke}" stroke-width="1"/>`);
    grid.push(`<text x="${left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="${font}" fill="${LABEL}">${escapeHtml(formatY(v, decimals))}</text>`);
  }
  const xTicks = timeTicks(x0, x1, Math.max(2, Math.floor((right - left) / (font * 10.5))));
  xTicks.values.forEach((t, i) => {
    const px = coord(x(t));
    grid.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="${GRID}" stroke-width="1" stroke-dasharray="2 3"/>`);
    grid.push(`<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="${AXIS}" stroke-width="1"/>`);
    grid.push(`<text x="${px}" y="${bottom + 8 + font}" text-anchor="middle" font-size="${font}" fill="${LABEL}">${escapeHtml(xTicks.labels[i]!)}</text>`);
  });
  grid.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="${AXIS}" stroke-width="1"/>`);
  grid.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="${AXIS}" stroke-width="1"/>`);
  parts.push(`<g>${grid.join('')}</g>`);

  const maxPoints = options.maxPoints ?? 1200;
  for (const s of withPoints) {
    // Steps only while every point is drawn: a downsampled step line would invent flat holds, and at several
    // points per pixel a step cannot be seen anyway. Either way at most maxPoints are drawn.
    const drawn = s.steps === true && s.points.length * 2 <= maxPoints ? stepPoints(s.points) : downsample(s.points, maxPoints);
    const color = escapeHtml(s.color);
    const name = escapeHtml(s.name);
    const zero = coord(y(0));
    parts.push(`<g><title>${name}</title>`);
    if (s.fill === true) {
      const first = coord(x(drawn[0]!.x));
      const last = coord(x(drawn[drawn.length - 1]!.x));
      parts.push(`<polygon points="${first},${zero} ${pointsAttr(drawn, x, y)} ${last},${zero}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    }
    if (drawn.length === 1) {
      parts.push(`<circle cx="${coord(x(drawn[0]!.x))}" cy="${coord(y(drawn[0]!.y))}" r="3" fill="${color}"/>`);
    } else {
      parts.push(`<polyline points="${pointsAttr(drawn, x, y)}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"/>`);
    }
    if (s.markMin === true) parts.push(minMark(s.points, x, y, (left + right) / 2, color, (v) => formatY(v, Math.max(2, decimals)), font));
    parts.push('</g>');
  }
  if (options.marks !== undefined && options.marks.length > 0) parts.push(`<g>${options.marks.map((m) => markShape(m, x(m.x), y(m.y))).join('')}</g>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function minMark(
  points: readonly Point[],
  x: (v: number) => number,
  y: (v: number) => number,
  middle: number,
  color: string,
  format: (v: number) => string,
  font: number,
): string {
  let low = points[0]!;
  for (const p of points) if (p.y < low.y) low = p;
  if (low.y >= 0) return '';
  const px = x(low.x);
  const py = y(low.y);
  // Label on the side with room, just above the dot.
  const anchor = px > middle ? 'end' : 'start';
  const dx = anchor === 'end' ? -7 : 7;
  return `<circle cx="${coord(px)}" cy="${coord(py)}" r="3.5" fill="${color}"/><text x="${coord(px + dx)}" y="${coord(py - 6)}" text-anchor="${anchor}" font-size="${font}" font-weight="600" fill="${color}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(format(low.y))}</text>`;
}

/** A trade mark: a triangle pointing up (long entry) or down (short entry), or a cross (exit), 9 px across. */
function markShape(m: ChartMark, px: number, py: number): string {
  const color = escapeHtml(m.color);
  const title = m.title === undefined ? '' : `<title>${escapeHtml(m.title)}</title>`;
  const at = (dx: number, dy: number) => `${coord(px + dx)},${coord(py + dy)}`;
  if (m.shape === 'cross') {
    return `<path d="M${at(-4, -4)}L${at(4, 4)}M${at(-4, 4)}L${at(4, -4)}" stroke="${color}" stroke-width="2.2" fill="none">${title}</path>`;
  }
  if (m.shape === 'small-cross') {
    return `<path d="M${at(-3, -3)}L${at(3, 3)}M${at(-3, 3)}L${at(3, -3)}" stroke="${color}" stroke-width="1.6" fill="none">${title}</path>`;
  }
  if (m.shape === 'dash') return `<path d="M${at(-5, 0)}L${at(5, 0)}" stroke="${color}" stroke-width="2" fill="none">${title}</path>`;
  const points = m.shape === 'up' ? [at(0, -5), at(5, 4), at(-5, 4)] : [at(0, 5), at(5, -4), at(-5, -4)];
  return `<polygon points="${points.join(' ')}" fill="${color}" stroke="#fff" stroke-width="0.8">${title}</polygon>`;
}
