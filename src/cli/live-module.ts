import type { MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import type { SignalEvent } from '../core/events.js';
import { IntervalSchema } from '../core/intervals.js';
import { defineRisk, type RiskProfile } from '../core/risk.js';
import { defineStrategy, type Strategy } from '../core/strategy.js';
import type { OhlcvExchange } from '../sources/ccxt-exchange.js';
import { BrokersSchema } from '../kafka/brokers.js';
import { importUserModule } from './load-module.js';
import { UserError } from './user-error.js';
import { issueText } from '../core/problems.js';

const object = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const listOf = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/**
 * What `tickflow live --config FILE` reads: an ES module whose default export (or, without one, whose named
 * exports) describe the node. Unknown keys are an error, so a misspelt option never silently falls back.
 */
/** Candles from a Kafka topic instead of an exchange: the node joins a consumer group (see the README, Kafka). */
const KafkaSourceSchema = z.strictObject({
  brokers: BrokersSchema,
  topic: z.string().min(1),
  groupId: z.string().min(1),
  /**
   * The compacted topic lane checkpoints travel in, so nodes on different machines can take each other's symbols
   * over (created when missing, with the candle topic's partition count). Omit it only when every node of the
   * group runs in one process on one store.
   */
  changelog: z.string().min(1).optional(),
  /** Names this node's standby reader; unique per node (default: host name and process id). */
  nodeId: z.string().min(1).optional(),
  /** A group with no committed offset starts at the oldest candle (default: only new ones). */
  fromBeginning: z.boolean().optional(),
  sessionTimeout: z.number().int().min(1_000).optional(),
  /** Records that cannot be used are copied here (default: reported and skipped); see kafkaCandles. */
  deadLetterTopic: z.string().min(1).optional(),
});

export const LiveModuleSchema = z.strictObject({
  /** A ccxt exchange instance the module built (and pointed wherever it wants: see the README, Live trading). */
  exchange: z
    .custom<OhlcvExchange>((e) => object(e) && typeof e.fetchOHLCV === 'function', 'expected a ccxt exchange instance (e.g. new ccxt.binance())')
    .optional(),
  /** Or a Kafka candle topic. */
  kafka: KafkaSourceSchema.optional(),
  /** The exchange's symbols to trade; with `kafka`, optional: only these of the topic's symbols run lanes. */
  symbols: z.array(z.string().min(1)).min(1, 'give at least one symbol').optional(),
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

/**
 * The rules between keys: an exchange or a Kafka topic, and what only one of them takes. Checked on the raw export
 * too, so a module with other mistakes still hears about these in the same message.
 */
function sourceProblems(m: Record<string, unknown>): string[] {
  const has = (key: string) => m[key] !== undefined;
  const out: string[] = [];
  if (!has('exchange') && !has('kafka')) out.push(`'exchange': give an exchange (ccxt) or a kafka candle source`);
  if (has('exchange') && has('kafka')) out.push(`'kafka': give either an exchange or a kafka candle source, not both`);
  if (has('exchange') && !has('symbols')) out.push(`'symbols': give the symbols to trade on the exchange`);
  if (has('kafka')) {
    // Each Kafka node sees only its share of the symbols, one partition at a time: no portfolio-wide view.
    if (has('risk')) out.push(`'risk': a risk profile needs an exchange node (a Kafka node holds only its share of the symbols)`);
    if (has('pollMs')) out.push(`'pollMs': only for an exchange node (a Kafka node is pushed its candles)`);
    if (has('since')) out.push(`'since': only for an exchange node (a Kafka node starts at its group's committed offsets)`);
  }
  return out;
}

export type LiveModule = z.output<typeof LiveModuleSchema> & {
  readonly strategyList: readonly Strategy[];
  readonly riskList: readonly RiskProfile[];
};

/** Load and check the node's config module; every problem is one line naming the file and the key. */
export async function loadLiveModule(path: string): Promise<LiveModule> {
  const mod = await importUserModule(path, 'live config');
  const exported = object(mod.default) ? mod.default : Object.fromEntries(Object.entries(mod).filter(([k]) => k !== 'default'));
  const parsed = LiveModuleSchema.safeParse(exported);
  const problems = sourceProblems(exported);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(issueText(i));
  }
  if (!parsed.success || problems.length > 0) throw new UserError(`live config ${path}: ${problems.join('; ')}`);
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
