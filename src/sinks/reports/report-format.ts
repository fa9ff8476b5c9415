/*
 * The one place report numbers become text. Cards, tables, markdown and chart labels all call these, so the same
 * value always reads the same: same sign, same precision, `—` where the statistic does not exist (null).
 */

/** How a metric is shown: an amount of the quote currency, a percentage, a plain ratio, or a count. */
export type MetricKind = 'money' | 'percent' | 'signedPercent' | 'ratio' | 'count';

const DASH = '—';
const MINUS = '−';

/** `1234567.891` → `1,234,567.89`: grouped by hand so the text is the same on every machine and locale. */
function grouped(value: number, decimals: number): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole, fraction] = fixed.split('.') as [string, string | undefined];
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(fixed) !== 0 ? MINUS : '';
  return `${sign}${withCommas}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * A metric's text. `money` has two decimals and thousands separators; `percent` two decimals and a `%`;
 * `signedPercent` also a `+` on gains (returns); `ratio` two decimals; `count` an integer. Negative numbers use a true
 * minus sign, so a column of them lines up with the positives.
 *
 * @example
 * ```ts
 * formatMetric(10011.859185, 'money'); // '10,011.86'
 * formatMetric(-0.277052, 'percent'); // '−0.28%'
 * ```
 */
export function formatMetric(value: number | null | undefined, kind: MetricKind): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  switch (kind) {
    case 'money':
      return grouped(value, 2);
    case 'percent':
      return `${grouped(value, 2)}%`;
    case 'signedPercent':
      return `${value > 0 && value.toFixed(2) !== '0.00' ? '+' : ''}${grouped(value, 2)}%`;
    case 'ratio':
      return grouped(value, 2);
    case 'count':
      return grouped(Math.round(value), 0);
  }
}

/** A duration in minutes as the largest fitting unit: `45 min`, `3.5 h`, `2.1 d`. */
export function formatDuration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return DASH;
  if (minutes < 60) return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} min`;
  if (minutes < 1440) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} d`;
}

/** The sign class of a value for colouring: gains green, losses red, nothing for 0 or null. */
export function signClass(value: number | null | undefined): '' | 'pos' | 'neg' {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return '';
  return value > 0 ? 'pos' : 'neg';
}
