import { isObservable, type Observable } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import { WalkerMetricSchema } from '../core/walker-rank.js';
import { FoldShapeSchema } from '../research/folds.js';
import { DAY_MS } from '../research/return-matrix.js';
import { SamplerSchema } from '../pipelines/optimize.js';
import { SummaryOptionsSchema } from './data-summary.js';
import { LlmOptionsSchema, type LlmClient } from './llm-client.js';
import { PromptTemplatesSchema } from './prompts.js';
import { SandboxOptionsSchema } from './sandboxed-strategy.js';

export const GenerateOptionsSchema = FoldShapeSchema.extend({
  /** Closed candles (one or several symbols), read once per pass. */
  source: z.custom<Observable<SymbolCandle>>(isObservable, 'must be an Observable of candles (e.g. candleFiles([...]))'),
  /** Candidates asked for per round. */
  candidates: z.number().int().positive().max(100).default(4),
  /** Rounds: the first asks for new strategies, each later one for improved versions of the last round's survivors. */
  rounds: z.number().int().positive().max(10).default(1),
  /** How to reach the model (unless `client` is given). */
  llm: z.unknown().optional(),
  /** A ready client (tests, or a provider of one's own); `llm.model` still names the model in the cache key. */
  client: z.custom<LlmClient>((c) => typeof c === 'object' && c !== null && typeof (c as LlmClient).chat === 'function', 'must be an LlmClient').optional(),
  /** LMDB folder of the response cache; absent, answers are not kept. */
  cache: z.string().min(1).optional(),
  /** Never ask the model: every answer must be in the cache. */
  offline: z.boolean().default(false),
  /** Seed of the model's sampling (per candidate: seed + its number) and of the walk-forward studies. */
  seed: z.number().int().nonnegative().default(0),
  temperature: z.number().min(0).max(2).default(0.7),
  templates: PromptTemplatesSchema.default(PromptTemplatesSchema.parse({})),
  summary: SummaryOptionsSchema.default(SummaryOptionsSchema.parse({})),
  sandbox: SandboxOptionsSchema.omit({ name: true, label: true, baseInterval: true, capacity: true }).default(SandboxOptionsSchema.omit({ name: true, label: true, baseInterval: true, capacity: true }).parse({})),
  /** The smoke run: this much at the end of the first train window. */
  smokeMs: z.number().int().positive().default(6 * 3_600_000),
  /** Walk-forward search of a survivor's parameter space (a survivor without one runs as it is). */
  sampler: SamplerSchema.default('random'),
  trials: z.number().int().positive().default(12),
  objective: WalkerMetricSchema.default('sharpeRatio'),
  config: z.unknown().optional(),
  periodMs: z.number().int().positive().default(DAY_MS),
  splits: z.number().int().default(16),
  runs: z.number().int().positive().default(1000),
  /** Survivors whose out-of-sample per-period returns correlate at least this much are near-duplicates. */
  duplicateCorrelation: z.number().min(-1).max(1).default(0.95),
});
export type GenerateOptions = z.input<typeof GenerateOptionsSchema> & { readonly llm?: z.input<typeof LlmOptionsSchema> };
export type ParsedGenerateOptions = z.output<typeof GenerateOptionsSchema>;
