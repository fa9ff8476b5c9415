import { z } from 'zod';
import { IntervalSchema } from '../core/intervals.js';
import { WalkerMetricSchema } from '../core/walker-rank.js';
import { SamplerSchema } from '../pipelines/optimize.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { camelFlags } from './optimize-args.js';
import { parseFlags, readArgs } from './parse-flags.js';
import { checkCandlePairs } from './run-flags.js';
import { DurationSchema } from './walk-forward-args.js';

const count = z.coerce.number().int().positive();

const GenerateFlagsSchema = z
  .object({
    candles: z.array(z.string().min(1)).default([]),
    symbol: z.array(z.string().min(1)).default([]),
    interval: IntervalSchema.optional(),
    config: z.string().min(1).optional(),
    train: DurationSchema.optional(),
    test: DurationSchema.optional(),
    step: DurationSchema.optional(),
    anchored: z.boolean().default(false),
    purge: DurationSchema.optional(),
    holdout: DurationSchema.optional(),
    candidates: count.default(4),
    rounds: count.default(1),
    model: z.string().min(1).default('qwen2.5-coder:14b'),
    host: z.url({ error: 'expected a URL like http://127.0.0.1:11434' }).optional(),
    openaiBaseUrl: z.url({ error: 'expected a URL like http://localhost:8000/v1' }).optional(),
    stream: z.boolean().default(false),
    timeout: DurationSchema.optional(),
    retries: z.coerce.number().int().nonnegative().default(2),
    seed: z.coerce.number().int().nonnegative().default(0),
    temperature: z.coerce.number().min(0).max(2).default(0.7),
    offline: z.boolean().default(false),
    cache: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    systemTemplate: z.string().min(1).optional(),
    userTemplate: z.string().min(1).optional(),
    refineTemplate: z.string().min(1).optional(),
    budgetMs: count.default(2_000),
    memoryMb: count.default(64),
    sampler: SamplerSchema.default('random'),
    trials: count.default(12),
    objective: WalkerMetricSchema.default('sharpeRatio'),
    period: IntervalSchema.default('1d'),
    splits: count.default(16),
    help: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    if (f.help) return;
    if (f.candles.length === 0) ctx.addIssue({ code: 'custom', path: ['candles'], message: 'give --candles FILE --symbol SYM (one pair per symbol)' });
    checkCandlePairs(f, ctx, ['symbol']);
    if (f.train === undefined) ctx.addIssue({ code: 'custom', path: ['train'], message: 'give the train window length, e.g. --train 60d (the model sees the first one)' });
    if (f.test === undefined) ctx.addIssue({ code: 'custom', path: ['test'], message: 'give the test window length, e.g. --test 14d' });
    if (f.out === undefined) ctx.addIssue({ code: 'custom', path: ['out'], message: 'give --out DIR (the strategies, prompts, responses, generate.json and report.html go there)' });
    if (f.host !== undefined && f.openaiBaseUrl !== undefined) ctx.addIssue({ code: 'custom', path: ['host'], message: 'give --host (Ollama) or --openai-base-url (an OpenAI-compatible server), not both' });
  });
export type GenerateFlags = z.output<typeof GenerateFlagsSchema>;

export const GENERATE_USAGE = `usage: tickflow generate --candles FILE --symbol SYM [--candles FILE2 --symbol SYM2 …] --train 60d --test 14d --out DIR
                        [--holdout 14d] [--step 14d] [--anchored] [--purge 1d] [--candidates K] [--rounds R]
                        [--model qwen2.5-coder:14b] [--host URL | --openai-base-url URL] [--stream] [--timeout 10m] [--retries N]
                        [--seed S] [--temperature 0.7] [--cache DIR] [--offline]
                        [--system-template FILE] [--user-template FILE] [--refine-template FILE] [--budget-ms 2000] [--memory-mb 64]
                        [--sampler random|grid|tpe] [--trials 12] [--objective sharpeRatio] [--period 1d] [--splits 16] [--config FILE.json]
An LLM writes strategy code from summaries of the first train window; each answer is checked (allow-list), run in a
sandboxed child process (--memory-mb heap limit, --budget-ms per getSignal call) and smoke-tested; survivors go through
walk-forward on the folds (data the model never saw), every candidate counted in the overfitting statistics (DSR, PBO).
--candles FILE --symbol SYM: the candles (JSON or CSV, as backtest reads them) and their symbol; repeat the pair for
    several symbols
--train 60d, --test 14d: the fold windows (the model sees only the first train window); --step (default --test) moves
    the next fold, --anchored keeps every train window starting at the first candle, --purge 1d drops candles between
    train and test, --holdout 14d keeps the last span out of every fold for the final verdict
--candidates K per round (default 4); --rounds R (default 1): later rounds send each survivor's train statistics back
    and ask for an improved version
--model (default qwen2.5-coder:14b) on Ollama at --host (default http://127.0.0.1:11434), or on the OpenAI-compatible
    server at --openai-base-url (key from OPENAI_API_KEY if it needs one)
--stream: read the model's answer as it is written (Ollama's streaming chat); --timeout 10m bounds one request,
    --retries N (default 2) retries a failed one (backoff doubling from 2 s, no jitter); --temperature 0.7 is the model's sampling
    temperature (0–2)
--seed S: the model's sampling seed (candidate k of round r: S + 1000·(r−1) + k) and the walk-forward studies' seed
--cache DIR (default DIR/llm-cache): LMDB of answers by sha256 of model + sampling + prompt: a rerun asks the model
    nothing it was asked before; --offline fails if an answer is missing instead of asking
--system-template, --user-template, --refine-template FILE: replace a prompt template ({{contract}} {{example}}; {{candidate}} {{candidates}} {{round}} {{data}};
    {{code}} {{statistics}})
--budget-ms 2000 per getSignal call, --memory-mb 64 of heap: a candidate over either is rejected with that reason
--config FILE.json: the trading config (fees, slippage, history, money), as backtest --config takes it
--sampler, --trials: the walk-forward search of a survivor's parameter space; --objective ranks folds and candidates
--period 1d, --splits 16: per-period returns and CSCV blocks (PBO needs at least --splits periods out of sample)
Output in --out: strategies/*.mjs (survivors, runnable with tickflow backtest --strategy), prompts/, responses/ (named
by candidate and hash), generate.json (every candidate: hashes, verdict, reasons, statistics), report.html
--help: this text
${EXIT_CODES_HELP.split('\n')[0]}`;

/** Parse and validate `tickflow generate` flags; every problem is a one-line UserError naming the flag. */
export function parseGenerateFlags(argv: readonly string[]): GenerateFlags {
  const s = { type: 'string' } as const;
  const b = { type: 'boolean' } as const;
  return parseFlags(
    GenerateFlagsSchema,
    camelFlags(
      readArgs(argv, {
        candles: { type: 'string', multiple: true },
        symbol: { type: 'string', multiple: true },
        interval: s,
        config: s,
        train: s,
        test: s,
        step: s,
        anchored: b,
        purge: s,
        holdout: s,
        candidates: s,
        rounds: s,
        model: s,
        host: s,
        'openai-base-url': s,
        stream: b,
        timeout: s,
        retries: s,
        seed: s,
        temperature: s,
        offline: b,
        cache: s,
        out: s,
        'system-template': s,
        'user-template': s,
        'refine-template': s,
        'budget-ms': s,
        'memory-mb': s,
        sampler: s,
        trials: s,
        objective: s,
        period: s,
        splits: s,
        help: { type: 'boolean', short: 'h' },
      }),
    ),
  );
}
