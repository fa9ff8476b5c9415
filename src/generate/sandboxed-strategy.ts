import type { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { problemsLine } from '../core/problems.js';
import { SignalDtoSchema } from '../core/signal.js';
import { StrategySchema, type SignalResult, type Strategy, type StrategyContext } from '../core/strategy.js';
import { isoTime } from '../core/time.js';
import { SANDBOX_REALM_SOURCE, SANDBOX_WORKER_SOURCE } from './sandbox-realm.js';

export const SandboxOptionsSchema = z.strictObject({
  /** The name the strategy runs under (its lane key); default: the name it exports. */
  name: z.string().min(1).optional(),
  /** Wall-clock budget of one getSignal call, from the moment it is sent to the worker. */
  budgetMs: z.number().int().positive().default(2_000),
  /** Wall-clock budget of the module's top-level code. */
  loadBudgetMs: z.number().int().positive().default(2_000),
  /** The worker's heap (old generation); allocation past it ends the worker. */
  memoryMb: z.number().int().positive().default(64),
  /** The candles' base interval (the source's). */
  baseInterval: z.enum(['1m', '3m', '5m', '15m', '30m', '1h']).default('1m'),
  /** How many base candles the strategy's `ctx.candles` may reach back: the run's `historyCandles`. */
  capacity: z.number().int().positive().default(10_080),
  /** Named in messages (e.g. the candidate id and its source hash). */
  label: z.string().default('generated strategy'),
});
export type SandboxOptions = z.input<typeof SandboxOptionsSchema>;

/** Why a generated strategy can not be used; `kind` sorts the reasons in reports. */
export type RejectionKind = 'extract' | 'allow-list' | 'load' | 'export' | 'time-budget' | 'memory' | 'worker' | 'invalid-signal' | 'threw' | 'smoke';

export class SandboxRejection extends Error {
  override readonly name = 'SandboxRejection';
  constructor(
    readonly kind: RejectionKind,
    message: string,
  ) {
    super(message);
  }
}

/** What the realm says about the export (plain data; functions only as their `typeof`). */
const DescriptionSchema = z.union([
  z.object({ problem: z.string() }),
  z.object({ name: z.unknown().optional(), interval: z.unknown().optional(), getSignal: z.string(), constraint: z.string(), risk: z.unknown().optional(), params: z.unknown().optional() }),
]);

const AnswerSchema = z.object({ signal: SignalDtoSchema.nullable() });

interface Pending {
  readonly id: number;
  readonly json: string;
  readonly resolve: (value: SignalResult) => void;
  readonly reject: (err: Error) => void;
  readonly where: string;
}

/** A generated strategy running in its own worker thread; `failure` is set once the worker is gone for good. */
export interface SandboxedStrategy {
  readonly strategy: Strategy;
  /** Why the worker was ended (budget, memory, crash), null while it runs. */
  failure(): { kind: RejectionKind; message: string } | null;
  close(): Promise<void>;
}

/**
 * Loads a checked strategy script (see {@link checkGeneratedCode}) into a worker thread with resource limits and
 * returns it as a tickflow Strategy whose `getSignal` is one message round-trip. The worker keeps each symbol's
 * candles itself: each ask carries only the base candles closed since the previous ask of that symbol (all of
 * history after time went back, i.e. a new pass), so asking stays cheap. Asks are sent one at a time, each with the
 * wall-clock budget; a call over budget terminates the worker and every later ask fails with that reason.
 * Rejects with a {@link SandboxRejection} when the module throws at load or its export is not a valid strategy.
 */
export async function loadSandboxedStrategy(script: string, options: SandboxOptions = {}): Promise<SandboxedStrategy> {
  const o = SandboxOptionsSchema.parse(options);
  const { Worker } = await import('node:worker_threads');
  const baseMs = intervalMs(o.baseInterval);
  const worker: Worker = new Worker(SANDBOX_WORKER_SOURCE, {
    eval: true,
    workerData: { realm: SANDBOX_REALM_SOURCE, script, filename: `${o.label}.js`, baseMs, capacity: o.capacity, loadBudgetMs: o.loadBudgetMs },
    resourceLimits: { maxOldGenerationSizeMb: o.memoryMb, maxYoungGenerationSizeMb: Math.max(4, Math.ceil(o.memoryMb / 8)), codeRangeSizeMb: 16, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
    env: {},
  });
  // A generated strategy's console output is not ours to print.
  worker.stdout.resume();
  worker.stderr.resume();

  let failure: { kind: RejectionKind; message: string } | null = null;
  let closed = false;
  const queue: Pending[] = [];
  let inFlight: Pending | null = null;
  let timer: NodeJS.Timeout | null = null;
  let nextId = 1;
  const lastSent = new Map<string, number>();
  let onLoad: ((m: { type: string; description?: string; message?: string }) => void) | null = null;

  // Read through a call: the compiler cannot see the event handlers that set it.
  const current = () => failure;
  const fail = (kind: RejectionKind, message: string) => {
    if (failure === null && !closed) failure = { kind, message };
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const err = new Error(failure?.message ?? message);
    const all = inFlight === null ? queue.splice(0) : [inFlight, ...queue.splice(0)];
    inFlight = null;
    for (const p of all) p.reject(err);
    void worker.terminate();
  };

  const pump = () => {
    if (inFlight !== null || failure !== null) return;
    const next = queue.shift();
    if (next === undefined) return;
    inFlight = next;
    timer = setTimeout(() => fail('time-budget', `getSignal exceeded its ${o.budgetMs} ms budget (${next.where}); the worker was terminated`), o.budgetMs);
    worker.postMessage({ id: next.id, json: next.json });
  };

  worker.on('message', (m: { type?: string; id?: number; ok?: boolean; json?: string; message?: string; description?: string }) => {
    if (m.type !== undefined) {
      onLoad?.(m as never);
      return;
    }
    const p = inFlight;
    if (p === null || m.id !== p.id) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    inFlight = null;
    if (!m.ok) p.reject(new Error(`getSignal threw: ${m.message}`));
    else {
      const parsed = AnswerSchema.safeParse(safeJson(m.json!));
      if (parsed.success) p.resolve(parsed.data.signal);
      else p.reject(new Error(`invalid signal: ${problemsLine(parsed.error, 'the returned value')}`));
    }
    pump();
  });
  worker.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') fail('memory', `exceeded its memory limit (${o.memoryMb} MB heap); the worker was terminated`);
    else fail('worker', `the worker failed: ${err.message}`);
  });
  worker.on('exit', (code) => {
    onLoad?.({ type: 'load-error', message: `the worker exited (code ${code}) before the strategy was loaded` });
    fail('worker', `the worker exited (code ${code})`);
  });

  const loaded = await new Promise<{ type: string; description?: string; message?: string }>((resolve) => {
    onLoad = (m) => {
      onLoad = null;
      resolve(m);
    };
  });
  const reject = async (kind: RejectionKind, message: string): Promise<never> => {
    closed = true;
    await worker.terminate();
    throw new SandboxRejection(kind, message);
  };
  if (loaded.type !== 'ready') {
    const crashed = current();
    if (crashed?.kind === 'memory') return reject('memory', `loading ${crashed.message}`);
    return reject('load', `the module threw at load: ${loaded.message}`);
  }
  const description = DescriptionSchema.parse(safeJson(loaded.description!));
  if ('problem' in description) return reject('export', description.problem);
  if (description.getSignal !== 'function') return reject('export', `getSignal must be a function (got ${description.getSignal})`);
  if (description.constraint !== 'undefined') return reject('export', 'constraint is not supported in generated strategies (return null from getSignal for combinations that make no sense)');

  const baseInterval: Interval = o.baseInterval;
  const name = o.name ?? (typeof description.name === 'string' ? description.name : '');
  const strategy: Strategy = {
    name,
    interval: description.interval as Strategy['interval'],
    ...(description.params === undefined ? {} : { params: description.params as Strategy['params'] }),
    getSignal(ctx: StrategyContext): Promise<SignalResult> {
      if (failure !== null) throw new Error(failure.message);
      const previous = lastSent.get(ctx.symbol);
      const reset = previous === undefined || ctx.now < previous;
      const count = reset ? o.capacity : Math.min(o.capacity, Math.floor((ctx.now - previous) / baseMs));
      const candles = count > 0 ? flatten(ctx.candles(baseInterval, count)) : [];
      lastSent.set(ctx.symbol, ctx.now);
      const json = JSON.stringify({ symbol: ctx.symbol, now: ctx.now, price: ctx.price, params: ctx.params, reset, candles });
      return new Promise<SignalResult>((resolve, reject) => {
        queue.push({ id: nextId++, json, resolve, reject, where: `${ctx.symbol} at ${isoTime(ctx.now)}` });
        pump();
      });
    },
  };
  const checked = StrategySchema.safeParse({ ...strategy, name: description.name });
  if (!checked.success) return reject('export', problemsLine(checked.error, 'the default export'));
  if (o.name === undefined && name === '') return reject('export', 'the default export has no name');

  return {
    strategy,
    failure: current,
    close: async () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      await worker.terminate();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function flatten(candles: readonly Readonly<Candle>[]): number[] {
  const out = new Array<number>(candles.length * 6);
  let j = 0;
  for (const c of candles) {
    out[j++] = c.timestamp;
    out[j++] = c.open;
    out[j++] = c.high;
    out[j++] = c.low;
    out[j++] = c.close;
    out[j++] = c.volume;
  }
  return out;
}
