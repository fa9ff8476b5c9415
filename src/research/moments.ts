import { z } from 'zod';

/** A return series' per-period moments (population), with its length. */
export const ReturnMomentsSchema = z.object({
  /** Number of periods. */
  T: z.number().int().nonnegative(),
  mean: z.number(),
  /** Population standard deviation. */
  stdDev: z.number().nonnegative(),
  /** mean / stdDev; 0 when stdDev is 0. */
  sharpe: z.number(),
  /** Population skewness γ₃; null when stdDev is 0. */
  skewness: z.number().nullable(),
  /** Population kurtosis γ₄ (not excess: 3 for a normal); null when stdDev is 0. */
  kurtosis: z.number().nullable(),
});
export type ReturnMoments = z.infer<typeof ReturnMomentsSchema>;

/** Returns as fractions, one per period; every value finite. */
export const ReturnSeriesSchema = z.array(z.number().finite());

/**
 * Per-period moments of a return series, in two passes (mean first, then centred powers) so a large mean does not
 * cancel the variance away.
 *
 * @example
 * ```ts
 * returnMoments([0.01, -0.02, 0.03]).sharpe; // mean / population std
 * ```
 */
export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const T = returns.length;
  if (T === 0) return { T, mean: 0, stdDev: 0, sharpe: 0, skewness: null, kurtosis: null };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < T; i++) {
    const r = returns[i]!;
    sum += r;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  const mean = sum / T;
  // A constant series has no spread, though its rounded mean can leave each deviation an ulp away from 0.
  if (min === max) return { T, mean, stdDev: 0, sharpe: 0, skewness: null, kurtosis: null };
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < T; i++) {
    const d = returns[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= T;
  m3 /= T;
  m4 /= T;
  const stdDev = Math.sqrt(m2);
  if (stdDev === 0) return { T, mean, stdDev, sharpe: 0, skewness: null, kurtosis: null };
  return { T, mean, stdDev, sharpe: mean / stdDev, skewness: m3 / (m2 * stdDev), kurtosis: m4 / (m2 * m2) };
}

/** Per-period Sharpe ratio of each column of a rows = periods, columns = trials matrix. */
export function trialSharpeRatios(matrix: ReadonlyArray<ArrayLike<number>>): number[] {
  const N = matrix.length === 0 ? 0 : matrix[0]!.length;
  const column = new Float64Array(matrix.length);
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < matrix.length; t++) column[t] = matrix[t]![n]!;
    out.push(returnMoments(column).sharpe);
  }
  return out;
}

/** Sample variance (divisor n − 1) of values; null for fewer than 2. */
export function sampleVariance(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n < 2) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return ss / (n - 1);
}
