import { z } from 'zod';
import { resolveConfig, type ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { parseOptions } from '../core/options.js';
import type { ParamAssignment } from '../core/param-space.js';
import { computeStatistics, type BacktestStatistics } from '../core/stats.js';
import { withParams, type Strategy } from '../core/strategy.js';
import { metricValue } from '../core/walker-rank.js';
import { cscv, type CscvResult } from '../research/cscv.js';
import { deflatedSharpeRatio, type DsrResult } from '../research/dsr.js';
import { trialSharpeRatios, sampleVariance } from '../research/moments.js';
import { monteCarloTradeOrder, type MonteCarloResult } from '../research/monte-carlo.js';
import { probabilisticSharpeRatio, type PsrResult } from '../research/psr.js';
import { randomEntrySignificance, tradeShapes, type RandomEntryResult } from '../research/random-entry.js';
import { periodReturns } from '../research/return-matrix.js';
import { FoldShapeSchema, walkForwardFolds, type TimeWindow } from '../research/folds.js';
import { parameterStability, walkForwardEfficiency, type ParameterStability, type WalkForwardEfficiency } from '../research/stability.js';
import { evaluateCandidates, optimize, OptimizeOptionsSchema, type OptimizeResult } from './optimize.js';
import { scanStudySpan } from './study-scan.js';
import type { TimeRange } from './timerange.js';

/**
 * An optimisation's options (its `timerange` bounds the whole analysis: folds are planned inside it, and the data
 * before its FROM only warms up history) plus the folds' shape.
 */
export const WalkForwardOptionsSchema = OptimizeOptionsSchema.extend(FoldShapeSchema.shape);
export type WalkForwardOptions = Omit<z.input<typeof WalkForwardOptionsSchema>, 'strategy'> & { readonly strategy: Strategy };

/** One fold: where it trained and tested, what it chose, and how the choice did on each side. */
export interface WalkForwardFold {
  readonly index: number;
  readonly train: TimeWindow;
  readonly test: TimeWindow;
  /** The best train candidate's parameters; null when no train trial was feasible with an objective. */
  readonly params: ParamAssignment | null;
  readonly name: string | null;
  readonly trials: number;
  readonly trainStatistics: BacktestStatistics | null;
  readonly trainObjective: number | null;
  /** The chosen candidate on the test window (RESEARCH §2: warm-up before it, trades complete inside it). */
  readonly testStatistics: BacktestStatistics | null;
  readonly testObjective: number | null;
  /** PBO of the fold's own train study (CSCV over its trials). */
  readonly trainPbo: CscvResult | null;
}

export interface WalkForwardOverfitting {
  /** Every trial of every fold: the N of the DSR. */
  readonly trials: number;
  /** PSR(0) of the stitched out-of-sample per-period returns. */
  readonly psr: PsrResult | null;
  /** DSR of the stitched out-of-sample returns, N = every trial, V = the variance of their train per-period Sharpe ratios. */
  readonly dsr: DsrResult | null;
  /** Each fold's train-study PBO and their mean. */
  readonly pbo: { readonly folds: readonly (number | null)[]; readonly mean: number | null };
  readonly monteCarlo: MonteCarloResult;
  readonly randomEntry: RandomEntryResult | null;
  readonly reason: string | null;
}

export interface WalkForwardResult {
  readonly strategy: string;
  readonly settings: { readonly train: number; readonly test: number; readonly step: number; readonly anchored: boolean; readonly purge: number; readonly holdout: number };
  /** The analysis' decision window (RESEARCH §2); null: all the data. */
  readonly timerange: TimeRange | null;
  /** The decisions' span inside it: first candle close … one past the last; the folds and the holdout lie inside. */
  readonly span: TimeWindow | null;
  readonly folds: readonly WalkForwardFold[];
  /** Every test window's closed signals, in order, through the statistics. */
  readonly outOfSample: { readonly window: TimeWindow | null; readonly statistics: BacktestStatistics };
  /** The test windows' closed events, in fold order (the stitched out-of-sample equity). */
  readonly outOfSampleClosed: readonly SignalEvent[];
  /** Out-of-sample over in-sample annualised return (expectedYearlyReturns of the chosen candidates' closed signals). */
  readonly efficiency: WalkForwardEfficiency;
  readonly stability: ParameterStability;
  readonly holdout: { readonly window: TimeWindow; readonly params: ParamAssignment | null; readonly statistics: BacktestStatistics | null } | null;
  readonly overfitting: WalkForwardOverfitting;
}

/** The seed of fold `index`: seed + index for a numeric seed, `seed:index` otherwise. */
export function foldSeed(seed: string, index: number): string {
  return /^\d+$/.test(seed) ? String(BigInt(seed) + BigInt(index)) : `${seed}:${index}`;
}

/**
 * Walk-forward analysis (RESEARCH §4): folds over the data's span; in each, {@link optimize} on the train window
 * (same sampler and budget, seed + fold index), the best candidate run on the test window; then the stitched
 * out-of-sample result, walk-forward efficiency, parameter stability and overfitting statistics counting every trial
 * of every fold. Deterministic for a given seed.
 *
 * @example
 * ```ts
 * const DAY = 86_400_000;
 * const wf = await walkForward({ source, strategy: smaCross, train: 3 * DAY, test: DAY, sampler: 'tpe', trials: 20, seed: 1 });
 * console.log(wf.outOfSample.statistics.totalPnl, wf.efficiency.efficiency);
 * ```
 */
export async function walkForward(options: WalkForwardOptions): Promise<WalkForwardResult> {
  const o = parseOptions(WalkForwardOptionsSchema, options, 'walk-forward options');
  const strategy = options.strategy;
  const config = resolveConfig(o.config as ConfigInput);
  const settings = { train: o.train, test: o.test, step: o.step ?? o.test, anchored: o.anchored, purge: o.purge, holdout: o.holdout };
  const span = await scanStudySpan(o.source, o.timerange ?? { from: null, to: null });
  const plan = span === null ? { folds: [], holdout: null } : walkForwardFolds({ from: span.from, to: span.to, ...settings });
  // The study options a fold's optimisation shares (sampler, budget, objective, requirements, …), minus the fold's own.
  const { train: _train, test: _test, step: _step, anchored: _anchored, purge: _purge, holdout: _holdout, ...studyOptions } = options;

  const folds: WalkForwardFold[] = [];
  const oosClosed: SignalEvent[] = [];
  const trainClosed: SignalEvent[] = [];
  const sharpes: number[] = [];
  let trials = 0;
  const chosen: ParamAssignment[] = [];
  for (const [k, fold] of plan.folds.entries()) {
    const before = trials;
    const study: OptimizeResult = await optimize({
      ...studyOptions,
      config,
      seed: foldSeed(o.seed, fold.index),
      timerange: fold.train,
      // The whole analysis' trials: the folds done, this one's, and as many again for each fold still to come.
      onProgress: options.onProgress && ((done, total) => options.onProgress!(before + done, total === null ? null : before + total * (plan.folds.length - k))),
    });
    trials += study.trials.length;
    if (study.returns !== null) sharpes.push(...trialSharpeRatios(study.returns.matrix));
    const best = study.best;
    let testStatistics: BacktestStatistics | null = null;
    if (best !== null) {
      chosen.push(best.params);
      trainClosed.push(...study.bestClosed);
      const candidate = withParams(strategy, best.params);
      const result = (await evaluateCandidates(o.source, [candidate], config, fold.test)).get(candidate.name)!;
      testStatistics = result.statistics;
      oosClosed.push(...result.closed);
    }
    folds.push({
      index: fold.index,
      train: fold.train,
      test: fold.test,
      params: best?.params ?? null,
      name: best?.name ?? null,
      trials: study.trials.length,
      trainStatistics: best?.statistics ?? null,
      trainObjective: best?.objective ?? null,
      testStatistics,
      testObjective: testStatistics === null ? null : metricValue(testStatistics, o.objective),
      trainPbo: study.overfitting?.pbo ?? (study.returns === null ? null : cscv(study.returns.matrix, { splits: o.splits })),
    });
  }

  const oosStatistics = computeStatistics(oosClosed);
  const inSample = computeStatistics(trainClosed);
  const window = plan.folds.length === 0 ? null : { from: plan.folds[0]!.test.from, to: plan.folds.at(-1)!.test.to };

  let holdout: WalkForwardResult['holdout'] = null;
  if (plan.holdout !== null) {
    const last = chosen.at(-1) ?? null;
    let statistics: BacktestStatistics | null = null;
    if (last !== null) {
      const candidate = withParams(strategy, last);
      statistics = (await evaluateCandidates(o.source, [candidate], config, plan.holdout)).get(candidate.name)!.statistics;
    }
    holdout = { window: plan.holdout, params: last, statistics };
  }

  return {
    strategy: strategy.name,
    settings,
    timerange: o.timerange ?? null,
    span: span === null ? null : { from: span.from, to: span.to },
    folds,
    outOfSample: { window, statistics: oosStatistics },
    outOfSampleClosed: oosClosed,
    efficiency: walkForwardEfficiency(oosClosed.length === 0 ? null : oosStatistics.expectedYearlyReturns, trainClosed.length === 0 ? null : inSample.expectedYearlyReturns),
    stability: parameterStability(strategy.params ?? {}, chosen),
    holdout,
    overfitting: await outOfSampleOverfitting(o, window, oosClosed, trials, sharpes, config, folds.map((f) => f.trainPbo?.pbo ?? null)),
  };
}

async function outOfSampleOverfitting(
  o: z.output<typeof WalkForwardOptionsSchema>,
  window: TimeWindow | null,
  closed: readonly SignalEvent[],
  trials: number,
  sharpes: readonly number[],
  config: { feePercent: number; slippagePercent: number },
  foldsPbo: readonly (number | null)[] = [],
): Promise<WalkForwardOverfitting> {
  const trades = tradeShapes(closed);
  const monteCarlo = monteCarloTradeOrder(
    trades.map((t) => t.pnlPercentage),
    { runs: o.runs, seed: o.seed },
  );
  const known = foldsPbo.filter((p): p is number => p !== null);
  const pbo = { folds: foldsPbo, mean: known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length };
  if (window === null || trials === 0) return { trials, psr: null, dsr: null, pbo, monteCarlo, randomEntry: null, reason: window === null ? 'no fold fits the data' : 'no trial was run' };
  // One column: the folds' chosen candidates differ, their test windows make one out-of-sample series.
  const stitched = closed.map((e) => ({ ...e, strategy: 'out-of-sample' }));
  const returns = periodReturns(stitched, { trials: ['out-of-sample'], from: window.from, to: window.to, periodMs: o.periodMs });
  const series = returns.matrix.map((row) => row[0]!);
  const span = await scanStudySpan(o.source, { from: window.from, to: window.to });
  return {
    trials,
    psr: probabilisticSharpeRatio(series),
    dsr: deflatedSharpeRatio(series, { trials, sharpeVariance: sampleVariance([...sharpes]) ?? 0 }),
    pbo,
    monteCarlo,
    randomEntry:
      span?.closes == null
        ? null
        : randomEntrySignificance(span.closes, trades, {
            intervalMinutes: span.intervalMinutes,
            feePercent: config.feePercent,
            slippagePercent: config.slippagePercent,
            runs: o.runs,
            seed: o.seed,
          }),
    reason: null,
  };
}
