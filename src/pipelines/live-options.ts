import { isObservable, type MonoTypeOperatorFunction, type ObservableInput, type SchedulerLike } from 'rxjs';
import { z } from 'zod';
import { ConfigError, resolveConfig, type Config, type ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { IntervalSchema } from '../core/intervals.js';
import type { RiskProfile } from '../core/risk.js';
import { StrategySchema, StrategyError, type Strategy } from '../core/strategy.js';
import type { OhlcvExchange } from '../sources/ccxt-exchange.js';
import { FlowGateSchema } from '../core/flow-gate.js';
import { RetryOptionsSchema } from '../sources/retry.js';
import type { CandleCache, CheckpointStore } from '../store/types.js';
import type { LiveMonitor } from './live-monitor.js';
import { parseOrThrow } from '../core/problems.js';

/** How a live node stops: `drain` keeps monitoring open positions until they close; `detach` leaves them open. */
export type StopMode = 'drain' | 'detach';

/** What the live pipeline needs of a store: lane checkpoints and the candle cache (`openStore` gives both). */
export type LiveStore = CheckpointStore & { readonly candles: CandleCache };

const fn = <T>(what: string) => z.custom<T>((f) => typeof f === 'function', `expected ${what}`);
const object = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

export const LiveOptionsSchema = z.strictObject({
  /** A ccxt exchange instance (anything with `fetchOHLCV`), built and configured by the caller. */
  exchange: z.custom<OhlcvExchange>(
    (e) => object(e) && typeof e.fetchOHLCV === 'function',
    'expected a ccxt exchange (an object with fetchOHLCV)',
  ),
  symbols: z
    .array(z.string().min(1))
    .min(1)
    .refine((s) => new Set(s).size === s.length, 'symbols must not repeat'),
  /** The base candle interval (default 1m). */
  interval: IntervalSchema.default('1m'),
  strategies: z.custom<Strategy | readonly Strategy[]>((s) => object(s), 'expected a strategy or an array of strategies'),
  /** Risk profiles (SEMANTICS §5), judged across every symbol and strategy of the node. */
  risk: z.custom<RiskProfile | readonly RiskProfile[]>((r) => object(r), 'expected a risk profile or an array of them').optional(),
  store: z.custom<LiveStore>(
    (s) =>
      object(s) &&
      typeof s.writeCheckpoint === 'function' &&
      typeof s.readCheckpoint === 'function' &&
      typeof s.checkpoints === 'function' &&
      object(s.candles),
    'expected a store with lane checkpoints and a candle cache (openStore from tickflow/lmdb)',
  ),
  /** Any subset of the config keys; defaults fill the rest (`emitActive` defaults to true live). */
  config: z.custom<ConfigInput | Config>((c) => object(c), 'expected a config object').optional(),
  /** Operators the events go through in order (`writeJsonLines`, `toKafka`…); completion waits for them to flush. */
  sinks: z.array(fn<MonoTypeOperatorFunction<SignalEvent>>('an operator (events) => events')).optional(),
  /** The exchange's clock; default its `fetchTime` (the local clock for an exchange without one). */
  clock: fn<() => number | Promise<number>>('a function returning epoch ms').optional(),
  /** How often to ask the exchange for newly closed candles (default 2 000 ms). */
  pollMs: z.number().positive().default(2_000),
  /** Open time of the first candle processed by lanes without a checkpoint; default the candle forming at start. */
  since: z.number().int().nonnegative().optional(),
  /** Base candles of history loaded before the resume point for `ctx.candles` and the price; default `historyCandles`. */
  warmupCandles: z.number().int().nonnegative().optional(),
  /** Emits (or resolves to) how to stop; without it the node runs until unsubscribed. */
  stop: z
    .custom<ObservableInput<StopMode>>((s) => isObservable(s) || (object(s) && typeof s.then === 'function'), 'expected an Observable or a Promise')
    .optional(),
  /** Counters and gauges for health checks and metrics. */
  monitor: z.custom<LiveMonitor>((m) => object(m) && typeof m.event === 'function' && typeof m.candle === 'function' && typeof m.status === 'function', 'expected a LiveMonitor').optional(),
  /** Backpressure shared with a sink (e.g. `toKafka({ gate })`). */
  gate: FlowGateSchema.optional(),
  /** Backoff of failed exchange requests (retried forever: a node never gives up on a transient failure). */
  retry: RetryOptionsSchema.omit({ maxRetries: true }).optional(),
  /** How long after a candle closes the exchange is trusted to have published it (default 10 s). */
  settleMs: z.number().nonnegative().optional(),
  pageSize: z.number().int().positive().optional(),
  /** At stop, how long a strategy still thinking may take before its ask is abandoned (default 5 000 ms). */
  stopGraceMs: z.number().nonnegative().default(5_000),
  /** Where strategy timeouts (and the stop grace) run. */
  scheduler: z.custom<SchedulerLike>((s) => object(s) && typeof s.schedule === 'function', 'expected an RxJS scheduler').optional(),
});

export type LiveOptions = z.input<typeof LiveOptionsSchema>;
export type ParsedLiveOptions = z.output<typeof LiveOptionsSchema> & { readonly strategyList: readonly Strategy[] };

export class LiveOptionsError extends Error {
  override readonly name = 'LiveOptionsError';
  readonly userError = true;
}

/** Validate the options; every problem is listed, naming the option. */
export function parseLiveOptions(options: LiveOptions, source = 'live'): ParsedLiveOptions {
  const data = parseOrThrow(LiveOptionsSchema, options, source, (line) => new LiveOptionsError(line));
  const list: readonly Strategy[] = Array.isArray(data.strategies) ? (data.strategies as readonly Strategy[]) : [data.strategies as Strategy];
  if (list.length === 0) throw new LiveOptionsError(`${source}: 'strategies': give at least one strategy`);
  // Checked, not parsed: the strategy objects are used as given (their methods may rely on `this`).
  list.forEach((s, i) => {
    parseOrThrow(StrategySchema, s, `${source}: strategies[${i}] is not a valid strategy`, (line) => new StrategyError(line));
  });
  return { ...data, strategyList: list };
}

/** The engine config of a live run: `emitActive` on unless set, and no `closeAtEnd` (a live feed has no end). */
export function liveConfig(input: ConfigInput | Config | undefined, source = 'live config'): Config {
  const given = (input ?? {}) as ConfigInput;
  const config = resolveConfig({ emitActive: true, ...given }, source);
  if (config.closeAtEnd) {
    throw new ConfigError(`${source}: 'closeAtEnd' has no meaning live (the feed never ends): stop the node with SIGTERM to close positions as they resolve`);
  }
  return config;
}
