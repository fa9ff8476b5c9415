import { z } from 'zod';
import { normalInverseCdf } from './normal.js';
import { returnMoments, ReturnSeriesSchema } from './moments.js';
import { psrFromMoments, SharpeMomentsSchema } from './psr.js';

const EULER_GAMMA = 0.5772156649015329;

/** N trials in the registry and V, the sample variance (N − 1) of their per-period Sharpe ratios. */
export const DsrOptionsSchema = z.object({
  trials: z.number().int().positive(),
  sharpeVariance: z.number().finite().nonnegative(),
});
export type DsrOptions = z.infer<typeof DsrOptionsSchema>;

/** A deflated Sharpe ratio with the inputs that define it; `dsr` is null (with `reason`) when undefined. */
export const DsrResultSchema = z.object({
  dsr: z.number().nullable(),
  reason: z.string().nullable(),
  T: z.number().int().nonnegative(),
  N: z.number().int().positive(),
  V: z.number().nonnegative(),
  /** SR*: the expected maximum per-period Sharpe ratio of N trials with no edge; null when N < 2. */
  expectedMaxSharpe: z.number().nullable(),
  sharpe: z.number().nullable(),
  skewness: z.number().nullable(),
  kurtosis: z.number().nullable(),
});
export type DsrResult = z.infer<typeof DsrResultSchema>;

/**
 * SR* = √V · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))), γ the Euler–Mascheroni constant (RESEARCH §5). Null for
 * N < 2 (Φ⁻¹(0) is −∞: one trial has no selection to deflate).
 *
 * @example
 * ```ts
 * expectedMaxSharpe(100, 0.5 / 250); // 0.113172…
 * ```
 */
export function expectedMaxSharpe(trials: number, sharpeVariance: number): number | null {
  if (trials < 2) return null;
  const a = normalInverseCdf(1 - 1 / trials);
  const b = normalInverseCdf(1 - 1 / (trials * Math.E));
  return Math.sqrt(sharpeVariance) * ((1 - EULER_GAMMA) * a + EULER_GAMMA * b);
}

/** DSR from moments: {@link psrFromMoments} against {@link expectedMaxSharpe}. */
export function dsrFromMoments(moments: z.input<typeof SharpeMomentsSchema>, options: DsrOptions): DsrResult {
  const { trials: N, sharpeVariance: V } = DsrOptionsSchema.parse(options);
  const { sharpe, skewness, kurtosis, T } = SharpeMomentsSchema.parse(moments);
  const srStar = expectedMaxSharpe(N, V);
  const base = { T, N, V, expectedMaxSharpe: srStar, sharpe, skewness, kurtosis };
  if (srStar === null) return { dsr: null, reason: `N = ${N} trial: DSR needs at least 2`, ...base };
  const psr = psrFromMoments({ sharpe, skewness, kurtosis, T }, srStar);
  return { dsr: psr.psr, reason: psr.reason, ...base };
}

/**
 * Deflated Sharpe ratio (Bailey & López de Prado 2014) of per-period returns (fractions): the PSR against the
 * Sharpe ratio the best of `trials` no-edge trials would reach by luck, given the variance of the trials' per-period
 * Sharpe ratios. Count every trial evaluated, not only the ones kept. Null (with the reason) when T < 2, N < 2 or
 * the returns have zero variance.
 *
 * @example
 * ```ts
 * import { deflatedSharpeRatio, sampleVariance, trialSharpeRatios } from 'tickflow';
 * const matrix = [[0.01, 0.002], [-0.004, 0.001], [0.007, -0.003], [0.003, 0.004]]; // rows = days, columns = trials
 * const sharpes = trialSharpeRatios(matrix);
 * const best = matrix.map((row) => row[0]!);
 * const { dsr, N, V } = deflatedSharpeRatio(best, { trials: 2, sharpeVariance: sampleVariance(sharpes)! });
 * ```
 */
export function deflatedSharpeRatio(returns: readonly number[], options: DsrOptions): DsrResult {
  const { trials: N, sharpeVariance: V } = DsrOptionsSchema.parse(options);
  const m = returnMoments(ReturnSeriesSchema.parse(returns));
  const srStar = expectedMaxSharpe(N, V);
  const nulls = { sharpe: null, skewness: null, kurtosis: null };
  const base = { T: m.T, N, V, expectedMaxSharpe: srStar };
  if (m.T < 2) return { dsr: null, reason: `T = ${m.T} periods: DSR needs at least 2`, ...base, ...nulls };
  if (m.skewness === null || m.kurtosis === null) {
    return { dsr: null, reason: 'the returns have zero variance', ...base, ...nulls, sharpe: m.sharpe };
  }
  return dsrFromMoments({ sharpe: m.sharpe, skewness: m.skewness, kurtosis: m.kurtosis, T: m.T }, { trials: N, sharpeVariance: V });
}
