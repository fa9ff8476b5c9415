import { resolveConfig, type ConfigInput } from '../core/config.js';
import { describeError } from '../core/problems.js';
import { withParams, type Strategy } from '../core/strategy.js';
import { evaluateCandidates } from '../pipelines/optimize.js';
import { storeCandles } from '../sources/store-source.js';
import { dataSpecOf, fileSha256 } from './data-hash.js';
import type { DataSpec, TrialBatch, TrialResult } from './messages.js';

export interface BatchEvaluationContext {
  /** This worker's name in results and errors. */
  readonly worker: string;
  /** Its candle store. */
  readonly data: string;
  /** Loads the one parameterised strategy of a module. */
  readonly loadStrategy: (path: string) => Promise<Strategy>;
}

/**
 * Evaluates trial batches against this worker's candle store: every candidate of a batch in one pass of the
 * candles. A batch whose data (symbols, interval, span, sha256) or strategy file differs from what this worker holds
 * is refused — one error result per trial, naming the worker and the difference — never computed on other data.
 */
export class BatchEvaluator {
  /** Checked data specs, by their JSON: the store is hashed once per spec. */
  private readonly dataChecks = new Map<string, Promise<string | null>>();
  private readonly strategies = new Map<string, Promise<Strategy>>();

  constructor(private readonly ctx: BatchEvaluationContext) {}

  async evaluate(batch: TrialBatch): Promise<TrialResult[]> {
    const refuse = (error: string): TrialResult[] =>
      batch.trials.map((t) => ({ v: 1, study: batch.study, batch: batch.batch, trial: t.id, name: t.name, worker: this.ctx.worker, ok: false, error }));
    const problem = (await this.checkData(batch.data)) ?? (await this.checkStrategy(batch.strategy));
    if (problem !== null) return refuse(`worker ${this.ctx.worker} refuses batch ${batch.batch} of study ${batch.study}: ${problem}`);
    try {
      const strategy = await this.strategyOf(batch.strategy.path, batch.strategy.sha256);
      const candidates = batch.trials.map((t) => withParams(strategy, t.params));
      const wrong = candidates.findIndex((c, i) => c.name !== batch.trials[i]!.name);
      if (wrong >= 0) return refuse(`worker ${this.ctx.worker}: trial ${batch.trials[wrong]!.id} is named ${batch.trials[wrong]!.name} but its params make ${candidates[wrong]!.name}`);
      const d = batch.data;
      const source = storeCandles({ path: this.ctx.data, symbols: d.symbols, interval: d.interval, from: d.from, to: d.to });
      const config = resolveConfig(batch.config as ConfigInput, `study ${batch.study} config`);
      const results = await evaluateCandidates(source, candidates, config, batch.timerange ?? undefined);
      return batch.trials.map((t, i) => {
        const r = results.get(candidates[i]!.name)!;
        return { v: 1, study: batch.study, batch: batch.batch, trial: t.id, name: t.name, worker: this.ctx.worker, ok: true, result: { statistics: { ...r.statistics }, closed: r.closed.map((e) => ({ ...e })), errors: r.errors } };
      });
    } catch (err) {
      return refuse(`worker ${this.ctx.worker} failed batch ${batch.batch} of study ${batch.study}: ${describeError(err)}`);
    }
  }

  private checkData(spec: DataSpec): Promise<string | null> {
    const key = JSON.stringify(spec);
    let check = this.dataChecks.get(key);
    if (check === undefined) {
      check = (async () => {
        const what = `${spec.symbols.join(',')} ${spec.interval} [${new Date(spec.from).toISOString()}, ${new Date(spec.to).toISOString()})`;
        let mine: DataSpec | null;
        try {
          mine = await dataSpecOf(storeCandles({ path: this.ctx.data, symbols: spec.symbols, interval: spec.interval, from: spec.from, to: spec.to }));
        } catch (err) {
          return `its candle store ${this.ctx.data} cannot give ${what}: ${describeError(err)}`;
        }
        if (mine === null) return `its candle store ${this.ctx.data} holds no candle of ${what}`;
        if (mine.sha256 !== spec.sha256 || mine.from !== spec.from || mine.to !== spec.to) {
          return `its candle store ${this.ctx.data} holds different candles for ${what} (sha256 ${mine.sha256.slice(0, 12)}…, span [${new Date(mine.from).toISOString()}, ${new Date(mine.to).toISOString()}); the study's sha256 is ${spec.sha256.slice(0, 12)}…): fill it with the study's data ('tickflow data import' or 'download')`;
        }
        return null;
      })();
      this.dataChecks.set(key, check);
    }
    return check;
  }

  private async checkStrategy(s: TrialBatch['strategy']): Promise<string | null> {
    let mine: string;
    try {
      mine = await fileSha256(s.path);
    } catch (err) {
      return `cannot read the strategy module ${s.path}: ${describeError(err)}`;
    }
    return mine === s.sha256 ? null : `its strategy module ${s.path} differs from the study's (sha256 ${mine.slice(0, 12)}…, the study's ${s.sha256.slice(0, 12)}…)`;
  }

  private strategyOf(path: string, sha256: string): Promise<Strategy> {
    const key = `${sha256} ${path}`;
    let s = this.strategies.get(key);
    if (s === undefined) this.strategies.set(key, (s = this.ctx.loadStrategy(path)));
    return s;
  }
}
