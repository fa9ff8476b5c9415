/**
 * The p-th percentile (0–100) of ascending-sorted values by linear interpolation between closest ranks
 * (Hyndman & Fan type 7, the default of R, NumPy and spreadsheets): h = (n − 1)·p/100, value = x[⌊h⌋] +
 * (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]). So the 50th of an even count is the mean of the middle two.
 *
 * @example
 * ```ts
 * percentileOfSorted([1, 2, 3, 4], 50); // 2.5
 * ```
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
