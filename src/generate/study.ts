import { Observable } from 'rxjs';
import { resolveConfig, type Config, type ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { Interval } from '../core/intervals.js';
import { parseOptions } from '../core/options.js';
import type { ParamSpace } from '../core/param-space.js';
import type { BacktestStatistics } from '../core/stats.js';
import { withParams, type Strategy } from '../core/strategy.js';
import { metricValue } from '../core/walker-rank.js';
import { evaluateCandidates } from '../pipelines/optimize.js';
import { scanStudySpan } from '../pipelines/study-scan.js';
import { walkForward } from '../pipelines/walk-forward.js';
import { cscv, type CscvResult } from '../research/cscv.js';
import { deflatedSharpeRatio, type DsrResult } from '../research/dsr.js';
import { walkForwardFolds, type FoldPlan, type TimeWindow } from '../research/folds.js';
import { sampleVariance, trialSharpeRatios } from '../research/moments.js';
import { probabilisticSharpeRatio, type PsrResult } from '../research/psr.js';
import { periodReturns } from '../research/return-matrix.js';
import { summarizeWindow, windowCandles } from './data-summary.js';
import { llmClient, LlmOptionsSchema, type ChatMessage, type LlmClient } from './llm-client.js';
import { nearDuplicates, type DuplicateMark } from './near-duplicates.js';
import { buildPrompt } from './prompts.js';
import { requestKey, ResponseCache } from './response-cache.js';
import type { RejectionKind, SandboxedStrategy } from './sandboxed-strategy.js';
import { screenResponse } from './screen.js';
import { GenerateOptionsSchema, type GenerateOptions, type ParsedGenerateOptions } from './study-options.js';

/** A survivor's walk-forward: per fold what it chose and did out of sample, the stitched result and the holdout. */
export interface CandidateWalkForward {
  readonly trials: number;
  readonly folds: readonly { readonly index: number; readonly params: Readonly<Record<string, unknown>> | null; readonly trainObjective: number | null; readonly testStatistics: BacktestStatistics | null }[];
  readonly outOfSample: BacktestStatistics;
  readonly objective: number | null;
  readonly efficiency: number | null;
  readonly holdout: BacktestStatistics | null;
  /** PSR(0) and DSR of its own stitched out-of-sample returns (N = its walk-forward trials). */
  readonly psr: number | null;
  readonly dsr: number | null;
}

/** One asked-for strategy: where it came from, what the checks said, what it did. */
export interface CandidateRecord {
  /** `r{round}c{nn}`: also the lane name it runs under. */
  readonly id: string;
  readonly round: number;
  readonly index: number;
  /** For a refinement: the candidate it improves. */
  readonly parent: string | null;
  /** sha256 of model + sampling + messages: the response cache's key and the prompt file's name. */
  readonly requestKey: string;
  readonly responseHash: string;
  /** sha256 of the extracted code; null when the answer held none. */
  readonly sourceHash: string | null;
  /** The name the module exports (informative; lanes use the id). */
  readonly exportedName: string | null;
  readonly verdict: 'accepted' | 'rejected';
  readonly kind: RejectionKind | null;
  readonly reasons: readonly string[];
  readonly params: ParamSpace | null;
  readonly smokeSignals: number | null;
  /** With its default parameters on the train window the model saw (sent back in refinement rounds). */
  readonly trainStatistics: BacktestStatistics | null;
  readonly walkForward: CandidateWalkForward | null;
  readonly duplicateOf: DuplicateMark | null;
}

export interface StudyOverfitting {
  /** Every trial of the study: each rejected candidate once, each survivor's every walk-forward trial. */
  readonly trials: number;
  /** Sample variance of the candidates' out-of-sample per-period Sharpe ratios (the DSR's V). */
  readonly sharpeVariance: number;
  readonly psr: PsrResult | null;
  readonly dsr: DsrResult | null;
  /** CSCV over the candidates' out-of-sample columns (every candidate a column; rejected ones earn 0). */
  readonly pbo: CscvResult | null;
  readonly reason: string | null;
}

export interface GenerateResult {
  readonly model: string;
  readonly settings: { readonly train: number; readonly test: number; readonly step: number; readonly anchored: boolean; readonly purge: number; readonly holdout: number; readonly candidates: number; readonly rounds: number; readonly seed: number; readonly temperature: number; readonly objective: string; readonly sampler: string; readonly trials: number; readonly periodMs: number; readonly splits: number };
  readonly span: TimeWindow;
  /** The window the model was shown (the first fold's train window). */
  readonly shown: TimeWindow;
  readonly folds: FoldPlan;
  readonly candidates: readonly CandidateRecord[];
  /** Out-of-sample per-period returns, one column per candidate (the study's registry of candidates). */
  readonly returns: { readonly periods: readonly number[]; readonly trials: readonly string[]; readonly matrix: readonly (readonly number[])[] };
  /** The survivor with the best out-of-sample objective. */
  readonly best: string | null;
  readonly overfitting: StudyOverfitting;
  readonly verdict: { readonly edge: boolean; readonly text: string };
  /** The conversation behind each candidate (written to prompts/ and responses/, not to generate.json). */
  readonly exchanges: readonly { readonly id: string; readonly requestKey: string; readonly messages: readonly ChatMessage[]; readonly response: string; readonly responseHash: string; readonly code: string | null }[];
  /** The stitched out-of-sample closed signals of each survivor (the report's equity). */
  readonly outOfSampleClosed: Readonly<Record<string, readonly SignalEvent[]>>;
}

export type GenerateEvent =
  | { readonly type: 'progress'; readonly stage: 'ask' | 'screen' | 'walk-forward' | 'judge'; readonly done: number; readonly total: number; readonly text: string }
  | { readonly type: 'candidate'; readonly candidate: CandidateRecord; readonly cached: boolean }
  | { readonly type: 'result'; readonly result: GenerateResult };

/** Good enough to call an edge real: deflated Sharpe ratio at least this, PBO below 0.5. */
export const DSR_PASS = 0.95;

/**
 * The generated-strategies study (RESEARCH §6) as an Observable of progress, candidate and result events. The model
 * sees only the first fold's train window (summaries per symbol); it is asked for `candidates` strategies per
 * round, each answer screened (allow-list, sandbox, smoke run) and, in later rounds, improved with its train
 * statistics. Survivors go through walk-forward on the folds; the study's registry counts every candidate (rejected
 * ones as failed trials) and every walk-forward trial, and the best survivor is judged by DSR and PBO. The study
 * starts on subscription; unsubscribing stops it between steps and ends every sandbox.
 *
 * @example
 * ```ts
 * generateStrategies({ source: candleFiles([{ path: 'ETH_BTC-1m.json', symbol: 'ETH/BTC' }]), train: 3 * DAY, test: DAY, candidates: 4, cache: '.cache/llm' })
 *   .subscribe((e) => e.type === 'result' && console.log(e.result.verdict.text));
 * ```
 */
export function generateStrategies(options: GenerateOptions): Observable<GenerateEvent> {
  return new Observable<GenerateEvent>((subscriber) => {
    let stopped = false;
    const sandboxes: SandboxedStrategy[] = [];
    const emit = (e: GenerateEvent) => {
      if (!stopped) subscriber.next(e);
    };
    runStudy(options, emit, sandboxes, () => stopped)
      .then(
        (result) => {
          if (result !== null) emit({ type: 'result', result });
          subscriber.complete();
        },
        (err: unknown) => subscriber.error(err),
      )
      .finally(() => Promise.all(sandboxes.map((s) => s.close())));
    return () => {
      stopped = true;
    };
  });
}

interface Live {
  readonly record: CandidateRecord;
  readonly sandbox: SandboxedStrategy | null;
  readonly code: string | null;
}

async function runStudy(options: GenerateOptions, emit: (e: GenerateEvent) => void, sandboxes: SandboxedStrategy[], stopped: () => boolean): Promise<GenerateResult | null> {
  const o: ParsedGenerateOptions = parseOptions(GenerateOptionsSchema, options, 'generate options');
  const llm = LlmOptionsSchema.parse(o.llm ?? {});
  const config: Config = resolveConfig(o.config as ConfigInput);
  const span = await scanStudySpan(o.source, { from: null, to: null });
  if (span === null) throw new Error('generate: the candles are empty');
  const settings = { train: o.train, test: o.test, step: o.step ?? o.test, anchored: o.anchored, purge: o.purge, holdout: o.holdout };
  const plan = walkForwardFolds({ from: span.from, to: span.to, ...settings });
  if (plan.folds.length === 0) throw new Error(`generate: no fold fits the data (${span.to - span.from} ms of candles; train ${o.train} + test ${o.test} + holdout ${o.holdout} ms)`);
  const shown = plan.folds[0]!.train;
  const baseInterval = `${span.intervalMinutes}m` as Interval;

  const perSymbol = await windowCandles(o.source, shown);
  const data = [...perSymbol].map(([symbol, { interval, candles }]) => summarizeWindow(symbol, interval, candles, shown, o.summary)).join('\n\n');
  const smokeRange = { from: Math.max(shown.from, shown.to - o.smokeMs), to: shown.to };

  const cache = o.cache === undefined ? null : await ResponseCache.open(o.cache);
  let client: LlmClient | null = o.client ?? null;
  const ask = async (messages: ChatMessage[], seed: number) => {
    const sampling = { temperature: o.temperature, seed };
    if (cache !== null) {
      const r = await cache.chat(o.offline ? null : await (client ??= await llmClient(llm)), llm.model, sampling, messages, o.offline);
      return { key: r.key, response: r.entry.response, responseHash: r.entry.responseHash, cached: r.cached };
    }
    if (o.offline) throw new Error('generate: --offline needs a response cache (cache folder)');
    client ??= await llmClient(llm);
    const response = await client.chat(messages, sampling);
    const { sourceHash } = await import('./allow-list.js');
    return { key: requestKey(llm.model, sampling, messages), response, responseHash: sourceHash(response), cached: false };
  };

  const live: Live[] = [];
  const exchanges: GenerateResult['exchanges'][number][] = [];
  try {
    let previous: Live[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      const parents = round === 1 ? null : previous.filter((c) => c.record.verdict === 'accepted').slice(0, o.candidates);
      const count = parents === null ? o.candidates : parents.length;
      const current: Live[] = [];
      for (let index = 1; index <= count; index++) {
        if (stopped()) return null;
        const id = `r${round}c${String(index).padStart(2, '0')}`;
        const parent = parents?.[index - 1] ?? null;
        emit({ type: 'progress', stage: 'ask', done: index - 1, total: count, text: `round ${round}: asking for candidate ${index} of ${count}` });
        const messages = buildPrompt(o.templates, {
          candidate: index,
          candidates: count,
          round,
          data,
          ...(parent === null ? {} : { refine: { code: parent.code!, statistics: statisticsText(parent.record.trainStatistics) } }),
        });
        const answer = await ask(messages, o.seed + (round - 1) * 1000 + index);
        const screened = await screenResponse(answer.response, {
          source: o.source,
          smokeRange,
          config,
          sandbox: { ...o.sandbox, name: id, label: id, baseInterval: baseInterval as never, capacity: config.historyCandles },
        });
        let record: CandidateRecord;
        let sandbox: SandboxedStrategy | null = null;
        if (screened.verdict === 'accepted') {
          sandbox = screened.sandbox;
          sandboxes.push(sandbox);
          const train = (await evaluateCandidates(o.source, [sandbox.strategy], config, shown)).get(id)!;
          record = base(id, round, index, parent, answer, screened.hash, { verdict: 'accepted', kind: null, reasons: [], params: sandbox.strategy.params ?? null, smokeSignals: screened.smokeSignals, trainStatistics: train.statistics });
        } else {
          record = base(id, round, index, parent, answer, screened.hash, { verdict: 'rejected', kind: screened.kind, reasons: screened.reasons, params: null, smokeSignals: null, trainStatistics: null });
        }
        const code = screened.code;
        exchanges.push({ id, requestKey: answer.key, messages, response: answer.response, responseHash: answer.responseHash, code });
        const entry: Live = { record: { ...record, exportedName: exportedName(code) }, sandbox, code };
        current.push(entry);
        live.push(entry);
        emit({ type: 'candidate', candidate: entry.record, cached: answer.cached });
      }
      previous = current;
    }
  } finally {
    await cache?.close();
  }

  // Walk-forward of every survivor on the folds (data the model never saw).
  const survivors = live.filter((c) => c.sandbox !== null);
  const closedOf = new Map<string, SignalEvent[]>();
  const oos = { from: plan.folds[0]!.test.from, to: plan.folds.at(-1)!.test.to };
  let done = 0;
  for (const c of survivors) {
    if (stopped()) return null;
    emit({ type: 'progress', stage: 'walk-forward', done: done++, total: survivors.length, text: `walk-forward of ${c.record.id}` });
    const strategy = c.sandbox!.strategy;
    const hasSpace = strategy.params !== undefined && Object.keys(strategy.params).length > 0;
    const wf = await walkForward({
      source: o.source,
      strategy,
      config,
      ...settings,
      sampler: hasSpace ? o.sampler : 'grid',
      trials: hasSpace ? o.trials : undefined,
      seed: String(o.seed),
      objective: o.objective,
      periodMs: o.periodMs,
      splits: o.splits,
      runs: o.runs,
    });
    const closed: SignalEvent[] = [];
    for (const fold of wf.folds) {
      if (fold.params === null) continue;
      const candidate: Strategy = withParams(strategy, fold.params);
      closed.push(...(await evaluateCandidates(o.source, [candidate], config, fold.test)).get(candidate.name)!.closed.map((e) => ({ ...e, strategy: c.record.id })));
    }
    closedOf.set(c.record.id, closed);
    const record: CandidateRecord = {
      ...c.record,
      walkForward: {
        trials: wf.overfitting.trials,
        folds: wf.folds.map((f) => ({ index: f.index, params: f.params, trainObjective: f.trainObjective, testStatistics: f.testStatistics })),
        outOfSample: wf.outOfSample.statistics,
        objective: metricValue(wf.outOfSample.statistics, o.objective),
        efficiency: wf.efficiency.efficiency,
        holdout: wf.holdout?.statistics ?? null,
        psr: wf.overfitting.psr?.psr ?? null,
        dsr: wf.overfitting.dsr?.dsr ?? null,
      },
    };
    live[live.indexOf(c)] = { ...c, record };
  }

  emit({ type: 'progress', stage: 'judge', done: 0, total: 1, text: 'overfitting statistics over every candidate' });
  const ids = live.map((c) => c.record.id);
  const returns = periodReturns([...closedOf.values()].flat(), { trials: ids, from: oos.from, to: oos.to, periodMs: o.periodMs });
  const column = (j: number) => returns.matrix.map((row) => row[j]!);
  const duplicates = nearDuplicates(
    live.flatMap((c, j) => (c.sandbox === null ? [] : [{ id: c.record.id, hash: c.record.sourceHash!, returns: column(j) }])),
    o.duplicateCorrelation,
  );
  const records = live.map((c) => ({ ...c.record, duplicateOf: duplicates.get(c.record.id) ?? null }));
  let best: CandidateRecord | null = null;
  for (const r of records) {
    const v = r.walkForward?.objective ?? null;
    if (v === null) continue;
    const b = best?.walkForward?.objective ?? null;
    if (b === null || (o.objective === 'maxDrawdown' ? v < b : v > b)) best = r;
  }
  const trials = records.reduce((n, r) => n + (r.walkForward?.trials ?? 1), 0);
  const sharpeVariance = sampleVariance(trialSharpeRatios(returns.matrix)) ?? 0;
  const overfitting: StudyOverfitting =
    best === null
      ? { trials, sharpeVariance, psr: null, dsr: null, pbo: null, reason: survivors.length === 0 ? 'no candidate survived the checks' : 'no survivor traded out of sample' }
      : (() => {
          const series = column(ids.indexOf(best.id));
          return {
            trials,
            sharpeVariance,
            psr: probabilisticSharpeRatio(series),
            dsr: deflatedSharpeRatio(series, { trials, sharpeVariance }),
            pbo: cscv(returns.matrix.map((row) => [...row]), { splits: o.splits }),
            reason: null,
          };
        })();

  return {
    model: llm.model,
    settings: { ...settings, candidates: o.candidates, rounds: o.rounds, seed: o.seed, temperature: o.temperature, objective: o.objective, sampler: o.sampler, trials: o.trials, periodMs: o.periodMs, splits: o.splits },
    span: { from: span.from, to: span.to },
    shown,
    folds: plan,
    candidates: records,
    returns,
    best: best?.id ?? null,
    overfitting,
    verdict: verdictOf(best, overfitting),
    exchanges,
    outOfSampleClosed: Object.fromEntries(closedOf),
  };
}

function base(
  id: string,
  round: number,
  index: number,
  parent: Live | null,
  answer: { key: string; responseHash: string },
  sourceHash: string | null,
  rest: Pick<CandidateRecord, 'verdict' | 'kind' | 'reasons' | 'params' | 'smokeSignals' | 'trainStatistics'>,
): CandidateRecord {
  return { id, round, index, parent: parent?.record.id ?? null, requestKey: answer.key, responseHash: answer.responseHash, sourceHash, exportedName: null, ...rest, walkForward: null, duplicateOf: null };
}

function exportedName(code: string | null): string | null {
  const m = code === null ? null : /\bname\s*:\s*(['"])([^'"\n]{1,80})\1/.exec(code);
  return m?.[2] ?? null;
}

const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? 'n/a' : Number(x.toFixed(digits)).toString());

/** A candidate's train statistics for the refinement prompt. */
export function statisticsText(s: BacktestStatistics | null): string {
  if (s === null) return '(no statistics)';
  return [
    `- closed signals: ${s.totalSignals} (${s.winCount} won, ${s.lossCount} lost; win rate ${num(s.winRate === null ? null : s.winRate)} %)`,
    `- total PnL: ${num(s.totalPnl)} %; average per trade ${num(s.avgPnl)} %`,
    `- Sharpe ratio per trade: ${num(s.sharpeRatio)}; max drawdown ${num(s.maxDrawdown)} %; profit factor ${num(s.profitFactor)}`,
    `- average holding time: ${num(s.avgDurationMinutes, 1)} minutes; longest losing streak ${s.maxLossStreak}`,
  ].join('\n');
}

function verdictOf(best: CandidateRecord | null, o: StudyOverfitting): { edge: boolean; text: string } {
  if (best === null) return { edge: false, text: `no edge: ${o.reason}` };
  const dsr = o.dsr?.dsr ?? null;
  const pbo = o.pbo?.pbo ?? null;
  const why: string[] = [];
  if (dsr === null) why.push(`the DSR is undefined (${o.dsr?.reason ?? 'no returns'})`);
  else if (dsr < DSR_PASS) why.push(`DSR ${num(dsr)} < ${DSR_PASS}: the best out-of-sample Sharpe ratio is within what luck gives among ${o.trials} trials`);
  if (pbo !== null && pbo >= 0.5) why.push(`PBO ${num(pbo)} ≥ 0.5: choosing the best in sample mostly picks a below-median candidate out of sample`);
  if (why.length > 0) return { edge: false, text: `no evidence of an edge for ${best.id}: ${why.join('; ')}` };
  return { edge: true, text: `${best.id} shows an edge out of sample: DSR ${num(dsr)} ≥ ${DSR_PASS} with ${o.trials} trials counted${pbo === null ? ` (PBO undefined: ${o.pbo?.reason})` : `, PBO ${num(pbo)} < 0.5`}` };
}
