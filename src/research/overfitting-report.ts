import { z } from 'zod';
import { CscvResultSchema, cscv } from './cscv.js';
import { DsrResultSchema, deflatedSharpeRatio } from './dsr.js';
import { sampleVariance, trialSharpeRatios } from './moments.js';
import { MonteCarloResultSchema, monteCarloTradeOrder } from './monte-carlo.js';
import { PsrResultSchema, probabilisticSharpeRatio } from './psr.js';
import { RandomEntryResultSchema, randomEntrySignificance, TradeShapeSchema } from './random-entry.js';
import { PeriodReturnsSchema } from './return-matrix.js';

export const OverfittingInputSchema = z.object({
  /** The study's T×N matrix: one column per trial in the registry, every trial evaluated. */
  returns: PeriodReturnsSchema,
  /** Column of the chosen (best) trial. */
  best: z.number().int().nonnegative(),
  /** The chosen trial's closed trades, in close order (Monte Carlo, random entry). */
  trades: z.array(TradeShapeSchema),
  /** Closes of the tested span at the candle interval, for random entry; without them it is not run. */
  closes: z.array(z.number()).optional(),
  intervalMinutes: z.number().positive().default(1),
  feePercent: z.number().nonnegative(),
  slippagePercent: z.number().nonnegative(),
  splits: z.number().int().default(16),
  runs: z.number().int().positive().default(1000),
  seed: z.string().default('0'),
});
export type OverfittingInput = z.input<typeof OverfittingInputSchema>;

/** RESEARCH §5 for one study, each statistic with its inputs; the report's `overfitting` object. */
export const OverfittingReportSchema = z.object({
  trial: z.string(),
  psr: PsrResultSchema,
  dsr: DsrResultSchema,
  pbo: CscvResultSchema,
  monteCarlo: MonteCarloResultSchema,
  randomEntry: RandomEntryResultSchema.nullable(),
});
export type OverfittingReport = z.infer<typeof OverfittingReportSchema>;

/**
 * Every overfitting statistic of a study (RESEARCH §5): PSR(0) and DSR of the chosen trial's per-period returns
 * (N = every column, V = the sample variance of the columns' Sharpe ratios), PBO by CSCV over the whole matrix,
 * Monte Carlo of the chosen trial's trade order and, given the closes, its random-entry significance.
 *
 * @example
 * ```ts
 * const returns = periodReturns(events, { from, to });
 * const best = returns.trials.indexOf(bestName);
 * const overfitting = overfittingReport({ returns, best, trades: tradeShapes(bestEvents), closes, feePercent: 0.1, slippagePercent: 0.1, seed: '42' });
 * ```
 */
export function overfittingReport(input: OverfittingInput): OverfittingReport {
  const o = OverfittingInputSchema.parse(input);
  const { matrix, trials } = o.returns;
  if (o.best >= trials.length) throw new Error(`overfittingReport: best = ${o.best}, but the matrix has ${trials.length} trial columns`);
  const series = matrix.map((row) => row[o.best]!);
  const variance = sampleVariance(trialSharpeRatios(matrix)) ?? 0;
  return {
    trial: trials[o.best]!,
    psr: probabilisticSharpeRatio(series),
    dsr: deflatedSharpeRatio(series, { trials: trials.length, sharpeVariance: variance }),
    pbo: cscv(matrix, { splits: o.splits }),
    monteCarlo: monteCarloTradeOrder(o.trades.map((t) => t.pnlPercentage), { runs: o.runs, seed: o.seed }),
    randomEntry: o.closes
      ? randomEntrySignificance(o.closes, o.trades, {
          intervalMinutes: o.intervalMinutes,
          feePercent: o.feePercent,
          slippagePercent: o.slippagePercent,
          runs: o.runs,
          seed: o.seed,
        })
      : null,
  };
}
