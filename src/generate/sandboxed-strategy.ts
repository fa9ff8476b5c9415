import type { ChildProcess } from 'node:child_process';
import { z } from 'zod';
import type { Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { problemsLine } from '../core/problems.js';
import { SignalDtoSchema } from '../core/signal.js';
import { StrategySchema, type SignalResult, type Strategy, type StrategyContext } from '../core/strategy.js';
import { isoTime } from '../core/time.js';
import { SANDBOX_PROCESS_SOURCE, SANDBOX_REALM_SOURCE } from './sandbox-realm.js';

export const SandboxOptionsSchema = z.strictObject({
  /** The name the strategy runs under (its lane key); default: the name it exports. */
  name: z.string().min(1).optional(),
  /** Wall-clock budget of one getSignal call, from the moment it is sent to the sandbox. */
  budgetMs: z.number().int().positive().default(2_000),
  /** Wall-clock budget of the module's top-level code. */
  loadBudgetMs: z.number().int().positive().default(2_000),
  /** The sandbox's heap (old generation); allocating past it ends the sandbox. */
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
export type RejectionKind = 'extract' | 'allow-list' | 'load' | 'export' | 'time-budget' | 'memory' | 'crash' | 'invalid-signal' | 'threw' | 'smoke';

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

/** A generated strategy running in its own process; `failure` is set once the process is gone for good. */
export interface SandboxedStrategy {
  readonly strategy: Strategy;
  /** Why the process was ended (budget, memory, crash), null while it runs. */
  failure(): { kind: RejectionKind; message: string } | null;
  close(): Promise<void>;
}

/** Node's permission model flag, where this Node has one: the sandbox may then touch no file, process or thread. */
function permissionFlags(): string[] {
  const flags = process.allowedNodeEnvironmentFlags;
  if (flags.has('--permission')) return ['--permission'];
  if (flags.has('--experimental-permission')) return ['--experimental-permission'];
  return [];
}

const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|allocation failed/i;

/**
 * Loads a checked strategy script (see {@link checkGeneratedCode}) into a sandbox and returns it as a tickflow
 * Strategy whose `getSignal` is one message round-trip. The sandbox is a child process (heap limit, Node's
 * permission model, no environment) holding a `vm` realm without code generation from strings: a process, not a
 * worker thread, because V8 aborts the whole process when a single allocation overshoots a worker's heap limit
 * (`const a = []; for (;;) a.push(1.5)` does), and generated code must never take the study down with it.
 *
 * The sandbox keeps each symbol's candles itself: an ask carries only the base candles closed since the previous ask
 * of that symbol (all of history after time went back, i.e. a new pass). Asks waiting while one is answered go
 * together in the next message (lanes of one pass ask at the same instant), each with its own wall-clock budget; a
 * batch over budget kills the process and every later ask fails with that reason. Rejects with a
 * {@link SandboxRejection} when the module throws at load or its export is not a valid strategy.
 */
export async function loadSandboxedStrategy(script: string, options: SandboxOptions = {}): Promise<SandboxedStrategy> {
  const o = SandboxOptionsSchema.parse(options);
  const { spawn } = await import('node:child_process');
  const baseMs = intervalMs(o.baseInterval);
  const child: ChildProcess = spawn(
    process.execPath,
    [...permissionFlags(), `--max-old-space-size=${o.memoryMb}`, `--max-semi-space-size=${Math.max(1, Math.ceil(o.memoryMb / 32))}`, '-e', SANDBOX_PROCESS_SOURCE],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: {}, serialization: 'json' },
  );
  // Kept short: only to tell a heap overflow from another crash.
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4096);
  });

  let failure: { kind: RejectionKind; message: string } | null = null;
  let closed = false;
  const queue: Pending[] = [];
  let inFlight: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let nextId = 1;
  const lastSent = new Map<string, number>();
  let onLoad: ((m: { type: string; description?: string; message?: string }) => void) | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Read through a call: the compiler cannot see the event handlers that set it.
  const current = () => failure;
  const fail = (kind: RejectionKind, message: string) => {
    if (failure === null && !closed) failure = { kind, message };
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const err = new Error(failure?.message ?? message);
    const all = [...inFlight, ...queue.splice(0)];
    inFlight = [];
    for (const p of all) p.reject(err);
    child.kill('SIGKILL');
  };

  const pump = () => {
    if (inFlight.length > 0 || failure !== null || queue.length === 0) return;
    inFlight = queue.splice(0);
    const budget = o.budgetMs * inFlight.length;
    const where = inFlight.length === 1 ? inFlight[0]!.where : `${inFlight.length} asks from ${inFlight[0]!.where}`;
    timer = setTimeout(() => fail('time-budget', `getSignal exceeded its ${o.budgetMs} ms budget (${where}); the sandbox was killed`), budget);
    child.send({ type: 'ask', batch: inFlight.map((p) => ({ id: p.id, json: p.json })) });
  };

  type Answer = { id: number; ok: boolean; json?: string; message?: string };
  child.on('message', (m: { type: string; description?: string; message?: string; answers?: Answer[] }) => {
    if (m.type !== 'answers') {
      onLoad?.(m);
      return;
    }
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const byId = new Map(inFlight.map((p) => [p.id, p]));
    inFlight = [];
    for (const a of m.answers ?? []) {
      const p = byId.get(a.id);
      if (p === undefined) continue;
      if (!a.ok) p.reject(new Error(`getSignal threw: ${a.message}`));
      else {
        const parsed = AnswerSchema.safeParse(safeJson(a.json!));
        if (parsed.success) p.resolve(parsed.data.signal);
        else p.reject(new Error(`invalid signal: ${problemsLine(parsed.error, 'the returned value')}`));
      }
    }
    pump();
  });
  child.on('error', (err) => fail('crash', `the sandbox failed: ${err.message}`));
  child.on('exit', (code, signal) => {
    const why = OUT_OF_MEMORY.test(stderr)
      ? { kind: 'memory' as const, message: `exceeded its memory limit (${o.memoryMb} MB heap); the sandbox was ended` }
      : { kind: 'crash' as const, message: `the sandbox ended (${signal ?? `exit code ${code}`})` };
    onLoad?.({ type: 'load-error', message: why.message });
    fail(why.kind, why.message);
  });

  const loaded = await new Promise<{ type: string; description?: string; message?: string }>((resolve) => {
    onLoad = (m) => {
      onLoad = null;
      resolve(m);
    };
    child.send({ type: 'init', realm: SANDBOX_REALM_SOURCE, script, filename: `${o.label}.js`, baseMs, capacity: o.capacity, loadBudgetMs: o.loadBudgetMs });
  });
  const reject = async (kind: RejectionKind, message: string): Promise<never> => {
    closed = true;
    child.kill('SIGKILL');
    await exited;
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
      child.kill('SIGKILL');
      await exited;
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
