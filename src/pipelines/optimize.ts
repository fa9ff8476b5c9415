import { isObservable, type Observable } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import { resolveConfig, type Config, type ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { parseOptions } from '../core/options.js';
import type { ParamAssignment } from '../core/param-space.js';
import type { BacktestStatistics } from '../core/stats.js';
import { StrategySchema, withParams, type Strategy } from '../core/strategy.js';
import { isMinimised, metricValue, WalkerMetricSchema, type WalkerMetric } from '../core/walker-rank.js';
import { objectiveNeighbourhood, type Neighbourhood } from '../research/neighbourhood.js';
import { overfittingReport, type OverfittingReport } from '../research/overfitting-report.js';
import { DAY_MS, periodReturns, type PeriodReturns } from '../research/return-matrix.js';
import { tradeShapes } from '../research/random-entry.js';
import { formatRequirement, meetsRequirement, RequirementSchema, type Requirement } from '../research/requirements.js';
import { gridCandidates, randomCandidates } from '../research/samplers.js';
import { tpeCandidates, type TpeObservation } from '../research/tpe.js';
import { scanStudySpan, type StudySpan } from './study-scan.js';
import { runCandidates, type CandidateResult } from './candidate-pass.js';
import { TimeRangeSchema, type TimeRange } from './timerange.js';

export const SamplerSchema = z.enum(['grid', 'random', 'tpe']);
export type Sampler = z.infer<typeof SamplerSchema>;

export const OptimizeOptionsSchema = z.strictObject({
  /** Closed candles, read once per batch of candidates (and once before, for the study's span). */
  source: z.custom<Observable<SymbolCandle>>(isObservable, 'must be an Observable of candles (e.g. candleFiles([...]))'),
  /** The parameterised strategy (its `params` space, its `constraint`). */
  strategy: StrategySchema,
  sampler: SamplerSchema.default('random'),
  /** Trial budget; grid: every point when absent, else the first `trials` points. Default 50 for random and tpe. */
  trials: z.number().int().positive().optional(),
  seed: z.union([z.string(), z.number().int()]).transform(String).default('0'),
  /** The statistic to optimise (SEMANTICS §9); `maxDrawdown` is minimised, the rest maximised. */
  objective: WalkerMetricSchema.default('sharpeRatio'),
  /** Decide only inside this window (RESEARCH §2). */
  timerange: TimeRangeSchema.optional(),
  /** Statistic constraints: a trial failing one is ranked last but still counted. */
  requirements: z.array(RequirementSchema).default([]),
  config: z.unknown().optional(),
  /** Candidates evaluated together in one pass. For tpe it also fixes the proposals (same size → same trials). */
  batchSize: z.number().int().positive().default(16),
  /** Period of the per-period return matrix (RESEARCH §5): one UTC day by default. */
  periodMs: z.number().int().positive().default(DAY_MS),
  /** CSCV blocks (even). */
  splits: z.number().int().default(16),
  /** Monte Carlo and random-entry runs. */
  runs: z.number().int().positive().default(1000),
  /** Runs a batch elsewhere (worker threads); absent, in this thread. Must give what {@link evaluateCandidates} gives. */
  evaluate: z.custom<BatchEvaluator>((f) => typeof f === 'function', 'must be a function (batch, timerange) => Promise<Map>').optional(),
  /** Told the trials done and the study's total (null when unknown) before the first batch and after each one. */
  onProgress: z.custom<TrialProgressListener>((f) => typeof f === 'function', 'must be a function (done, total) => void').optional(),
});
export type OptimizeOptions = Omit<z.input<typeof OptimizeOptionsSchema>, 'strategy' | 'evaluate' | 'onProgress'> & {
  readonly strategy: Strategy;
  readonly evaluate?: BatchEvaluator;
  readonly onProgress?: TrialProgressListener;
};

/** Progress of a study: trials evaluated so far and the total planned (null when not known up front). */
export type TrialProgressListener = (done: number, total: number | null) => void;

/** A batch of candidates (names and parameters) run over a window: each one's result by name. */
export type BatchEvaluator = (batch: readonly { readonly name: string; readonly params: ParamAssignment }[], timerange: TimeRange | undefined) => Promise<Map<string, CandidateResult>>;

/** One evaluated candidate: its place in the study, its parameters and what it did. */
export interface Trial {
  /** 1-based, in the order the sampler proposed it. */
  readonly id: number;
  /** The candidate's lane key and event `strategy`: `NAME[k=v,…]`. */
  readonly name: string;
  readonly params: ParamAssignment;
  readonly statistics: BacktestStatistics;
  /** The objective's value; null without closed signals (or when the statistic is undefined). */
  readonly objective: number | null;
  /** Meets every statistic requirement. */
  readonly feasible: boolean;
  /** Error events of the candidate's run (a throwing strategy). */
  readonly errors: number;
}

export interface OptimizeResult {
  readonly strategy: string;
  readonly sampler: Sampler;
  readonly budget: number | null;
  readonly seed: string;
  readonly objective: { readonly statistic: WalkerMetric; readonly direction: 'maximize' | 'minimize' };
  readonly timerange: TimeRange | null;
  readonly requirements: readonly string[];
  /** The decisions' span [from, to) (first candle close inside the range … one past the last); null without data. */
  readonly span: { readonly from: number; readonly to: number } | null;
  /** Every trial, in trial order: the registry. */
  readonly trials: readonly Trial[];
  /** Trial ids best first: feasible trials with an objective by objective (ties: earlier first), then the rest in trial order. */
  readonly ranking: readonly number[];
  readonly best: Trial | null;
  /** Objective over the first two parameters around the best (a plateau or a lone spike); null with fewer than two. */
  readonly neighbourhood: Neighbourhood | null;
  /** The same view for every pair of parameters in declaration order (at most {@link MAX_SLICES}); empty without a best. */
  readonly neighbourhoods: readonly Neighbourhood[];
  /** The registry's per-period returns (RESEARCH §5): rows = periods, columns = trials in trial order. */
  readonly returns: PeriodReturns | null;
  /** RESEARCH §5 for the best trial against the whole registry; null (with `overfittingReason`) when there is no best. */
  readonly overfitting: OverfittingReport | null;
  readonly overfittingReason: string | null;
  /** The best trial's closed events (for stitching walk-forward tests, random entry). */
  readonly bestClosed: readonly SignalEvent[];
}

export type { CandidateResult } from './candidate-pass.js';

/**
 * Runs candidates side by side in one pass of the source (one parse, validation, history and VWAP per symbol; each
 * candidate its own lanes and account; see {@link runCandidates}) and returns each one's statistics and closed
 * events. A candidate's events are exactly those of a run of it alone.
 */
export function evaluateCandidates(
  source: Observable<SymbolCandle>,
  candidates: readonly Strategy[],
  config: Config,
  timerange: TimeRange | undefined,
): Promise<Map<string, CandidateResult>> {
  return runCandidates(source, candidates, config, timerange);
}

/** Trial ids best first (RESEARCH §3). */
export function rankTrials(trials: readonly Trial[], objective: WalkerMetric): number[] {
  const sign = isMinimised(objective) ? 1 : -1;
  const ok = (t: Trial) => t.feasible && t.objective !== null;
  return [...trials]
    .sort((a, b) => {
      if (ok(a) !== ok(b)) return ok(a) ? -1 : 1;
      if (ok(a)) return sign * (a.objective! - b.objective!) || a.id - b.id;
      return a.id - b.id;
    })
    .map((t) => t.id);
}

/**
 * Searches a strategy's parameter space (RESEARCH §3): the sampler proposes candidates, each batch runs in one pass
 * over the candles, every trial is recorded, trials are ranked by the objective, and the best is judged for
 * overfitting against the whole registry (RESEARCH §5). Deterministic: the same seed, space, budget and batch size
 * give the same trials, ranking and report.
 *
 * @example
 * ```ts
 * const study = await optimize({ source: candleFile('ETH_BTC-1m.json', { symbol: 'ETH/BTC' }), strategy: smaCross, sampler: 'tpe', trials: 40, seed: 7 });
 * console.log(study.best?.name, study.overfitting?.pbo.pbo);
 * ```
 */
export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const o = parseOptions(OptimizeOptionsSchema, options, 'optimize options');
  // The parsed strategy is a copy without the prototype: candidates are made from the one given.
  const strategy = options.strategy as Strategy;
  const config = resolveConfig(o.config as ConfigInput);
  const range: TimeRange = o.timerange ?? { from: null, to: null };
  const span = await scanStudySpan(o.source, range);
  const space = strategy.params ?? {};
  const budget = o.trials ?? (o.sampler === 'grid' ? null : 50);
  const trials: Trial[] = [];
  const closedOf = new Map<number, SignalEvent[]>();

  let total: number | null = budget;
  const run = async (batch: readonly ParamAssignment[]) => {
    const candidates = batch.map((params) => withParams(strategy, params));
    const results = o.evaluate
      ? await o.evaluate(candidates.map((c, i) => ({ name: c.name, params: batch[i]! })), o.timerange)
      : await evaluateCandidates(o.source, candidates, config, o.timerange);
    candidates.forEach((c, i) => {
      const r = results.get(c.name)!;
      const id = trials.length + 1;
      trials.push({
        id,
        name: c.name,
        params: batch[i]!,
        statistics: r.statistics,
        objective: metricValue(r.statistics, o.objective),
        feasible: o.requirements.every((req: Requirement) => meetsRequirement(r.statistics, req)),
        errors: r.errors,
      });
      closedOf.set(id, r.closed);
    });
    o.onProgress?.(trials.length, total);
  };

  if (o.sampler === 'tpe') {
    o.onProgress?.(0, total);
    const history: TpeObservation[] = [];
    while (budget === null || trials.length < budget) {
      const count = Math.min(o.batchSize, (budget ?? Infinity) - trials.length);
      const batch = tpeCandidates(strategy, history, { count, seed: o.seed, direction: isMinimised(o.objective) ? 'minimize' : 'maximize' });
      if (batch.length === 0) break;
      const before = trials.length;
      await run(batch);
      for (const t of trials.slice(before)) history.push({ params: t.params, objective: t.feasible ? t.objective : null });
      if (batch.length < count) break;
    }
  } else {
    const all = o.sampler === 'grid' ? take(gridCandidates(strategy), budget) : randomCandidates(strategy, { trials: budget!, seed: o.seed });
    total = all.length;
    o.onProgress?.(0, total);
    for (let i = 0; i < all.length; i += o.batchSize) await run(all.slice(i, i + o.batchSize));
  }

  const ranking = rankTrials(trials, o.objective);
  const top = trials[ranking[0]! - 1];
  const best = top !== undefined && top.feasible && top.objective !== null ? top : null;
  const keys = Object.keys(space);
  const neighbourhoods = best === null ? [] : parameterPairs(keys).map((pair) => objectiveNeighbourhood(space, trials, best.params, pair));
  const neighbourhood = neighbourhoods[0] ?? null;
  const returns = span === null || trials.length === 0 ? null : studyReturns(trials, closedOf, span, o.periodMs);
  let overfitting: OverfittingReport | null = null;
  let overfittingReason: string | null = null;
  if (best === null) overfittingReason = trials.length === 0 ? 'no trial was run' : 'no trial is feasible with an objective';
  else if (returns === null) overfittingReason = 'no candle inside the range';
  else {
    overfitting = overfittingReport({
      returns,
      best: best.id - 1,
      trades: tradeShapes(closedOf.get(best.id)!),
      closes: span!.closes ?? undefined,
      intervalMinutes: span!.intervalMinutes,
      feePercent: config.feePercent,
      slippagePercent: config.slippagePercent,
      splits: o.splits,
      runs: o.runs,
      seed: o.seed,
    });
  }
  return {
    strategy: strategy.name,
    sampler: o.sampler,
    budget,
    seed: o.seed,
    objective: { statistic: o.objective, direction: isMinimised(o.objective) ? 'minimize' : 'maximize' },
    timerange: o.timerange ?? null,
    requirements: o.requirements.map(formatRequirement),
    span: span === null ? null : { from: span.from, to: span.to },
    trials,
    ranking,
    best,
    neighbourhood,
    neighbourhoods,
    returns,
    overfitting,
    overfittingReason,
    bestClosed: best === null ? [] : closedOf.get(best.id)!,
  };
}

/** Slices drawn at most: every pair of up to four parameters. */
export const MAX_SLICES = 6;

function parameterPairs(keys: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) out.push([keys[i]!, keys[j]!]);
  return out.slice(0, MAX_SLICES);
}

function take<T>(items: Iterable<T>, n: number | null): T[] {
  const out: T[] = [];
  if (n === 0) return out;
  for (const item of items) {
    out.push(item);
    if (n !== null && out.length >= n) break;
  }
  return out;
}

function studyReturns(trials: readonly Trial[], closedOf: ReadonlyMap<number, SignalEvent[]>, span: StudySpan, periodMs: number): PeriodReturns {
  const events = trials.flatMap((t) => closedOf.get(t.id)!);
  return periodReturns(events, { trials: trials.map((t) => t.name), from: span.from, to: span.to, periodMs });
}
