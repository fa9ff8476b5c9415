import { z } from 'zod';
import { normalCdf } from './normal.js';
import { returnMoments, ReturnSeriesSchema } from './moments.js';

/** The moments PSR needs: per-period Sharpe ratio, population skewness and kurtosis (not excess), length. */
export const SharpeMomentsSchema = z.object({
  sharpe: z.number().finite(),
  skewness: z.number().finite(),
  kurtosis: z.number().finite(),
  T: z.number().int().nonnegative(),
});
export type SharpeMoments = z.infer<typeof SharpeMomentsSchema>;

/** A probabilistic Sharpe ratio with the inputs that define it; `psr` is null (with `reason`) when undefined. */
export const PsrResultSchema = z.object({
  psr: z.number().nullable(),
  reason: z.string().nullable(),
  T: z.number().int().nonnegative(),
  sharpe: z.number().nullable(),
  skewness: z.number().nullable(),
  kurtosis: z.number().nullable(),
  benchmarkSharpe: z.number(),
});
export type PsrResult = z.infer<typeof PsrResultSchema>;

/**
 * PSR from moments (RESEARCH §5): Φ((SR − SR*)·√(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4·SR²)). Null when T < 2 or the
 * denominator is not positive (moments no return series can have).
 *
 * @example
 * ```ts
 * const sr = 2.5 / Math.sqrt(250);
 * psrFromMoments({ sharpe: sr, skewness: -3, kurtosis: 10, T: 1250 }).psr; // 0.999997…
 * ```
 */
export function psrFromMoments(moments: SharpeMoments, benchmarkSharpe = 0): PsrResult {
  const { sharpe, skewness, kurtosis, T } = SharpeMomentsSchema.parse(moments);
  const base = { T, sharpe, skewness, kurtosis, benchmarkSharpe };
  if (T < 2) return { psr: null, reason: `T = ${T} periods: PSR needs at least 2`, ...base };
  const denominator = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(denominator > 0)) {
    return { psr: null, reason: `1 − γ₃·SR + (γ₄ − 1)/4·SR² = ${denominator} is not positive`, ...base };
  }
  const z = ((sharpe - benchmarkSharpe) * Math.sqrt(T - 1)) / Math.sqrt(denominator);
  return { psr: normalCdf(z), reason: null, ...base };
}

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado 2012) of per-period returns (fractions) against a benchmark
 * per-period Sharpe ratio: the probability that the true Sharpe ratio exceeds the benchmark, given the sample's
 * length, skewness and kurtosis. Null (with the reason) when T < 2 or the returns have zero variance.
 *
 * @example
 * ```ts
 * import { probabilisticSharpeRatio } from 'tickflow';
 * const daily = [0.01, -0.004, 0.007, 0.002, -0.001, 0.012];
 * const { psr, T, sharpe } = probabilisticSharpeRatio(daily); // psr ≈ 0.942, T = 6
 * ```
 */
export function probabilisticSharpeRatio(returns: readonly number[], benchmarkSharpe = 0): PsrResult {
  const m = returnMoments(ReturnSeriesSchema.parse(returns));
  if (m.T < 2) {
    return { psr: null, reason: `T = ${m.T} periods: PSR needs at least 2`, T: m.T, sharpe: null, skewness: null, kurtosis: null, benchmarkSharpe };
  }
  if (m.skewness === null || m.kurtosis === null) {
    return { psr: null, reason: 'the returns have zero variance', T: m.T, sharpe: m.sharpe, skewness: null, kurtosis: null, benchmarkSharpe };
  }
  return psrFromMoments({ sharpe: m.sharpe, skewness: m.skewness, kurtosis: m.kurtosis, T: m.T }, benchmarkSharpe);
}
