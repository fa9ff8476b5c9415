import type { MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import type { SignalEvent } from '../core/events.js';
import { IntervalSchema } from '../core/intervals.js';
import { defineRisk, type RiskProfile } from '../core/risk.js';
import { defineStrategy, type Strategy } from '../core/strategy.js';
import type { OhlcvExchange } from '../sources/ccxt-exchange.js';
import { importUserModule } from './load-module.js';
import { UserError } from './user-error.js';

const object = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const listOf = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/**
 * What `tickflow live --config FILE` reads: an ES module whose default export (or, without one, whose named
 * exports) describe the node. Unknown keys are an error, so a misspelt option never silently falls back.
 */
export const LiveModuleSchema = z.strictObject({
  /** A ccxt exchange instance the module built (and pointed wherever it wants: see the README, Live trading). */
  exchange: z.custom<OhlcvExchange>((e) => object(e) && typeof e.fetchOHLCV === 'function', 'expected a ccxt exchange instance (e.g. new ccxt.binance())'),
  symbols: z.array(z.string().min(1)).min(1, 'give at least one symbol'),
  interval: IntervalSchema.default('1m'),
  strategies: z.custom<Strategy | readonly Strategy[]>((s) => object(s) || (Array.isArray(s) && s.length > 0), 'expected a strategy or a non-empty array of strategies'),
  risk: z.custom<RiskProfile | readonly RiskProfile[]>((r) => object(r) || Array.isArray(r), 'expected a risk profile or an array of them').optional(),
  /** Directory of the LMDB store (relative to the working directory). */
  store: z.string().min(1, 'expected the path of the store directory'),
  /** Any subset of the engine config keys. */
  config: z.custom<Record<string, unknown>>(object, 'expected an object of config keys').optional(),
  /** Operators the events go through, e.g. `toKafka(...)` from tickflow/kafka. */
  sinks: z.array(z.custom<MonoTypeOperatorFunction<SignalEvent>>((f) => typeof f === 'function', 'expected an operator function')).optional(),
  pollMs: z.number().positive().optional(),
  /** Where lanes without a checkpoint start: epoch ms or an ISO date. */
  since: z
    .union([z.number().int().nonnegative(), z.string().refine((s) => Number.isFinite(Date.parse(s)), 'expected an ISO date')])
    .transform((s) => (typeof s === 'number' ? s : Date.parse(s)))
    .optional(),
  warmupCandles: z.number().int().nonnegative().optional(),
});

export type LiveModule = z.output<typeof LiveModuleSchema> & {
  readonly strategyList: readonly Strategy[];
  readonly riskList: readonly RiskProfile[];
};

/** Load and check the node's config module; every problem is one line naming the file and the key. */
export async function loadLiveModule(path: string): Promise<LiveModule> {
  const mod = await importUserModule(path, 'live config');
  const exported = object(mod.default) ? mod.default : Object.fromEntries(Object.entries(mod).filter(([k]) => k !== 'default'));
  const parsed = LiveModuleSchema.safeParse(exported);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')}` : `'${i.path.join('.') || '(root)'}': ${i.message}`,
    );
    throw new UserError(`live config ${path}: ${problems.join('; ')}`);
  }
  const strategies = listOf(parsed.data.strategies);
  const risk = parsed.data.risk === undefined ? [] : listOf(parsed.data.risk);
  try {
    strategies.forEach((s, i) => defineStrategy(s, `live config ${path}: strategies[${i}]`));
    risk.forEach((r, i) => defineRisk(r, `live config ${path}: risk[${i}]`));
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  return { ...parsed.data, strategyList: strategies, riskList: risk };
}
