import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import type { Strategy } from '../core/strategy.js';
import type { candleFiles } from '../sources/files.js';
import { runSource } from './data-source.js';
import type { CandleSource } from '../sources/candle-source.js';
import { readConfigFile } from './config-file.js';
import { loadStrategies } from './load-module.js';
import { UserError } from './user-error.js';
import { CandidatePool } from './optimize-pool.js';
import type { BatchEvaluator, TrialProgressListener } from '../pipelines/optimize.js';
import { intervalMs } from '../core/intervals.js';
import { requirementsOf, type OptimizeFlags } from './optimize-args.js';
import type { TrialProgress } from './trial-progress.js';

type SearchFlags = Pick<OptimizeFlags, 'sampler' | 'trials' | 'seed' | 'objective' | 'timerange' | 'batchSize' | 'period' | 'splits' | 'minTrades' | 'require'>;

/** What `optimize` and `walk-forward` pass alike to their pipeline: the search from the flags, the evaluator, progress. */
export function searchOptions(flags: SearchFlags, evaluate: BatchEvaluator | undefined, progress: TrialProgress | null) {
  const onProgress: TrialProgressListener | undefined = progress === null ? undefined : (done, total) => progress.update(done, total);
  return {
    sampler: flags.sampler,
    trials: flags.trials,
    seed: flags.seed,
    objective: flags.objective,
    requirements: requirementsOf(flags),
    timerange: flags.timerange,
    batchSize: flags.batchSize,
    periodMs: intervalMs(flags.period),
    splits: flags.splits,
    evaluate,
    onProgress,
  };
}

/** What `optimize` and `walk-forward` load before a study: the candles, the one parameterised strategy, the config. */
export async function loadStudy(flags: {
  candles: string[];
  symbol: string[];
  data?: string;
  interval?: Parameters<typeof candleFiles>[0][number]['interval'];
  strategy?: string;
  config?: string;
}): Promise<{ source: CandleSource; strategy: Strategy; config: Config }> {
  const config = await readConfigFile(flags.config);
  const strategies = await loadStrategies(flags.strategy!);
  if (strategies.length !== 1) throw new UserError(`strategy module ${flags.strategy}: a study searches one strategy, the module exports ${strategies.length}`);
  const strategy = strategies[0]!;
  if (strategy.params === undefined || Object.keys(strategy.params).length === 0) {
    throw new UserError(`strategy module ${flags.strategy}: strategy '${strategy.name}' declares no params: nothing to search (RESEARCH §1: params: { NAME: { type, min, max, default } })`);
  }
  const { source } = await runSource(flags);
  return { source, strategy, config };
}

/** Writes `name` into the report folder (made if missing); returns its path. */
export async function writeReportFile(dir: string, name: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A parameter assignment as `k=v k=v` (the `--param` flags that run it alone). */
export function paramFlags(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `--param ${k}=${String(v)}`)
    .join(' ');
}

/**
 * With `workers` > 1, a pool of worker threads sharing the candles and the evaluator that splits batches over it;
 * `close` ends them. Without, nothing (batches run in this thread).
 */
export async function studyWorkers(
  workers: number,
  options: { strategyPath: string; config: Config; source: CandleSource },
): Promise<{ evaluate: BatchEvaluator | undefined; close: () => Promise<void> }> {
  if (workers <= 1) return { evaluate: undefined, close: async () => undefined };
  const pool = await CandidatePool.open(workers, { ...options, script: process.argv[1]! });
  return { evaluate: (batch, timerange) => pool.evaluate(batch, timerange), close: () => pool.close() };
}
