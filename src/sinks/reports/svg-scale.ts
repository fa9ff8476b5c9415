/**
 * Axis arithmetic for the report charts: linear scales, "nice" numeric ticks and calendar-aligned UTC time ticks.
 * Pure functions; every label is computed from the data alone, so the same data draws the same SVG byte for byte.
 */

/**
 * Maps `domain` linearly onto `range`. A degenerate domain (one value) maps to the middle of the range rather than
 * dividing by zero.
 *
 * @example
 * ```ts
 * const y = linearScale([0, 10], [300, 0]); // SVG y grows downwards
 * y(5); // 150
 * ```
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (!(d1 !== d0) || !Number.isFinite(d1 - d0)) {
    const mid = (r0 + r1) / 2;
    return () => mid;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Ticks at round values covering the data, with the step between them. */
export interface NiceTicks {
  /** Ascending; the first is ≤ the data's min and the last ≥ its max, so they also give the chart's domain. */
  readonly values: readonly number[];
  readonly step: number;
}

/** Decimals that show a multiple of `step` exactly (0.25 → 2, 5 → 0). */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d <= 15; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 15;
}

/**
 * About `target` ticks at 1, 2 or 5 × 10ⁿ covering [min, max]. A single value (max = min) is widened so it still
 * gets an axis.
 *
 * @example
 * ```ts
 * niceTicks(-3.2, 17.9); // { values: [-5, 0, 5, 10, 15, 20], step: 5 }
 * ```
 */
export function niceTicks(min: number, max: number, target = 5): NiceTicks {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { values: [0, 1], step: 1 };
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const decimals = Math.min(20, stepDecimals(step));
  const values: number[] = [];
  // Integer multiples of the step, rounded to its decimals: 0.1 × 3 reads 0.3, not 0.30000000000000004.
  for (let i = first; i <= last; i++) values.push(Number((i * step).toFixed(decimals)) + 0);
  return { values, step };
}

/** Time ticks with the label format that suits their spacing. */
export interface TimeTicks {
  readonly values: readonly number[];
  readonly labels: readonly string[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FIXED_STEPS = [
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY,
];
const MONTH_STEPS = [1, 2, 3, 6];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const monthStart = (k: number) => Date.UTC(Math.floor(k / 12), k % 12, 1);
const pad2 = (n: number) => String(n).padStart(2, '0');

function dayLabel(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

function minuteLabel(t: number, withDate: boolean): string {
  const d = new Date(t);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return withDate ? `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${hm}` : hm;
}

/**
 * About `target` UTC ticks in [from, to] on calendar boundaries: minutes and hours, days, weeks, months, years.
 * Labels are UTC: `HH:MM` (or `MM-DD HH:MM` across days), `YYYY-MM-DD`, `Mon YYYY`, `YYYY`.
 *
 * @example
 * ```ts
 * timeTicks(Date.UTC(2024, 0, 1), Date.UTC(2024, 6, 1)).labels; // ['Jan 2024', 'Feb 2024', …, 'Jul 2024']
 * ```
 */
export function timeTicks(from: number, to: number, target = 6): TimeTicks {
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { values: [], labels: [] };
  const span = Math.max(hi - lo, MINUTE);
  const fixed = FIXED_STEPS.find((s) => span / s <= target);
  if (fixed !== undefined) {
    const values: number[] = [];
    for (let t = Math.ceil(lo / fixed) * fixed; t <= hi; t += fixed) values.push(t);
    if (values.length === 0) values.push(lo);
    const crossesDays = Math.floor(lo / DAY) !== Math.floor(hi / DAY);
    const labels = values.map((t) => (fixed >= DAY ? dayLabel(t) : minuteLabel(t, crossesDays)));
    return { values, labels };
  }
  const start = new Date(lo);
  const months = MONTH_STEPS.find((m) => span / (m * 30.44 * DAY) <= target);
  if (months !== undefined) {
    // Months counted from year 0, aligned to a multiple of the step (quarters start in Jan, Apr, Jul, Oct).
    let k = start.getUTCFullYear() * 12 + start.getUTCMonth();
    if (lo > monthStart(k)) k++;
    k = Math.ceil(k / months) * months;
    const values: number[] = [];
    for (; monthStart(k) <= hi; k += months) values.push(monthStart(k));
    const labels = values.map((t) => `${MONTHS[new Date(t).getUTCMonth()]} ${new Date(t).getUTCFullYear()}`);
    return { values, labels };
  }
  const fromYear = start.getUTCFullYear();
  const years = Math.max(1, Math.round(niceTicks(fromYear, new Date(hi).getUTCFullYear() + 1, target).step));
  const values: number[] = [];
  for (let y = Math.ceil(fromYear / years) * years; Date.UTC(y, 0, 1) <= hi; y += years) {
    if (Date.UTC(y, 0, 1) >= lo) values.push(Date.UTC(y, 0, 1));
  }
  return { values, labels: values.map((t) => String(new Date(t).getUTCFullYear())) };
}
