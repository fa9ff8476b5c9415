import { z } from 'zod';
import type { Candle } from './candle.js';
import { StrategyIntervalSchema, type Interval, type StrategyInterval } from './intervals.js';
import type { Signal, SignalDto } from './signal.js';
import type { ManageResult } from './manage-actions.js';
import type { StopCause } from './effective-stop.js';
import type { TradePart } from './trade-parts.js';
import { parseOrThrow } from './problems.js';
import { IndicatorSpecError, parseIndicators, type IndicatorDeclaration } from '../indicators/declare.js';
import type { IndicatorValues } from '../indicators/reader.js';
import { candidateName, defaultParams, ParamSpaceError, validateParamSpace, valueProblem, type ParamAssignment, type ParamSpace } from './param-space.js';

export type Mode = 'backtest' | 'live';

/** What a strategy sees when it is asked (SEMANTICS §3). Everything in it is in the past at `now`. */
export interface StrategyContext {
  readonly symbol: string;
  readonly now: number;
  readonly date: Date;
  /** The current price: VWAP of the last `avgPriceCandles` closed base candles. */
  readonly price: number;
  /**
   * Closed candles only, oldest first; intervals above the base are aggregated from closed base candles. The array
   * is the caller's; the candles are shared by every strategy of the symbol and frozen.
   */
  candles(interval: Interval, limit: number): Readonly<Candle>[];
  formatPrice(price: number): string;
  formatQuantity(quantity: number): string;
  readonly mode: Mode;
  /**
   * The parameter values of this run (RESEARCH §1), frozen, every declared name present: a candidate's assignment,
   * else the space's defaults; `{}` for a strategy without `params`.
   */
  readonly params: ParamAssignment;
  /**
   * The declared indicators (`strategy.indicators`) at `now`, by name: a number, a small frozen object (bands, MACD,
   * stochastic) or null until warm; fed only closed candles of their interval. `{}` without `indicators`.
   */
  readonly indicators: IndicatorValues;
}

export type SignalResult = SignalDto | null | undefined;

/** The open position as `manage` sees it (SEMANTICS §13), at `now` and the current price. */
export interface PositionView {
  readonly signal: Signal;
  /** The effective stop, and the component that sets it. */
  readonly stop: number;
  readonly stopCause: StopCause;
  /** The effective take-profit. */
  readonly take: number;
  /** The fraction of the original position still open, and the parts closed so far. */
  readonly remaining: number;
  readonly parts: readonly TradePart[];
  /** Closing the rest at the current price: leverage × its §7 pnl. */
  readonly pnlPercentage: number;
  /** Long: the highest high, short: the lowest low, of the candles checked since the entry (null before the first). */
  readonly peak: number | null;
  /** Where a leveraged signal is liquidated; null without leverage. */
  readonly liquidationPrice: number | null;
}

/** What `manage` sees: the strategy's context plus the open position. */
export interface ManageContext extends StrategyContext {
  readonly position: PositionView;
}

export interface Strategy {
  readonly name: string;
  /** Throttle: the strategy is asked only when `now` is a multiple of this interval. */
  readonly interval: StrategyInterval;
  getSignal(ctx: StrategyContext): SignalResult | PromiseLike<SignalResult>;
  /**
   * Manages the open signal (SEMANTICS §13): asked at the strategy's grid instants while its signal stays open (never
   * at the instant it opened), answers nothing, an action or a list of actions, applied all or none.
   */
  manage?(ctx: ManageContext): ManageResult | PromiseLike<ManageResult>;
  /** The risk profile(s) this strategy is subject to. */
  readonly risk?: string | readonly string[];
  /** The parameter space `getSignal` reads through `ctx.params` (RESEARCH §1). */
  readonly params?: ParamSpace;
  /** Which assignments are worth running (e.g. fast < slow); the others are never run nor counted as trials. */
  readonly constraint?: (params: ParamAssignment) => boolean;
  /** The assignment this strategy runs with (set by {@link withParams}); absent, the space's defaults. */
  readonly paramValues?: ParamAssignment;
  /**
   * Streaming indicators `getSignal` reads through `ctx.indicators`, as a function of the parameter values, e.g.
   * `(p) => ({ fast: sma(p.fast), bands: bollinger(20, 2, '1h') })`.
   */
  readonly indicators?: IndicatorDeclaration;
}

export const StrategySchema = z.object({
  name: z.string().min(1, 'name must be a non-empty string'),
  interval: StrategyIntervalSchema,
  getSignal: z.custom<Strategy['getSignal']>((f) => typeof f === 'function', 'getSignal must be a function'),
  manage: z.custom<Strategy['manage']>((f) => f === undefined || typeof f === 'function', 'manage must be a function').optional(),
  risk: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  params: z.unknown().optional(),
  constraint: z.custom<Strategy['constraint']>((f) => f === undefined || typeof f === 'function', 'constraint must be a function (params) => boolean').optional(),
  paramValues: z.unknown().optional(),
  indicators: z.custom<IndicatorDeclaration>((f) => f === undefined || typeof f === 'function', 'indicators must be a function (params) => ({ name: sma(10), … })').optional(),
}).superRefine((s, ctx) => {
  let params: ParamAssignment = NO_PARAMS;
  if (s.params !== undefined || s.paramValues !== undefined) {
    try {
      const space = validateParamSpace(s.name, s.params ?? {});
      if (s.paramValues !== undefined) checkAssignment(s.name, space, s.paramValues);
      params = (s.paramValues as ParamAssignment | undefined) ?? defaultParams(space);
    } catch (err) {
      if (!(err instanceof ParamSpaceError)) throw err;
      ctx.addIssue({ code: 'custom', path: [], message: err.message });
      return;
    }
  }
  if (s.indicators === undefined) return;
  try {
    parseIndicators(s.name, s.indicators, params);
  } catch (err) {
    if (!(err instanceof IndicatorSpecError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['indicators'], message: err.message });
  }
});

/** A full assignment of the space (every declared name, no other, each value in its space). */
function checkAssignment(strategy: string, space: ParamSpace, values: unknown): void {
  if (typeof values !== 'object' || values === null) throw new ParamSpaceError(strategy, '(paramValues)', 'paramValues must be an object');
  const given = values as Record<string, unknown>;
  for (const name of Object.keys(given)) if (!(name in space)) throw new ParamSpaceError(strategy, name, 'no such parameter');
  for (const [name, spec] of Object.entries(space)) {
    if (!(name in given)) throw new ParamSpaceError(strategy, name, 'missing from paramValues');
    const problem = valueProblem(spec, given[name] as never);
    if (problem) throw new ParamSpaceError(strategy, name, `value ${problem}`);
  }
}

export class StrategyError extends Error {
  override readonly name = 'StrategyError';
}

const NO_PARAMS: ParamAssignment = Object.freeze({});

/** What `ctx.params` holds for this strategy: its candidate's assignment, else the defaults, else `{}`. */
export function paramsOf(strategy: Strategy): ParamAssignment {
  if (strategy.paramValues !== undefined) return strategy.paramValues;
  // Validated here too: a library caller may hand `backtest` a strategy that never went through defineStrategy.
  return strategy.params === undefined ? NO_PARAMS : defaultParams(validateParamSpace(strategy.name, strategy.params));
}

/**
 * One candidate of a parameterised strategy (RESEARCH §1): the same strategy (its prototype, so `this` and its own
 * members still work) named `NAME[k=v,…]` and running with `values` (frozen, declaration order). Without `name`
 * override the lane key is the candidate name, so candidates run side by side without colliding.
 *
 * @example
 * ```ts
 * const candidate = withParams(smaCross, { fast: 10, slow: 60 }); // name 'sma-cross[fast=10,slow=60]'
 * ```
 */
export function withParams<S extends Strategy>(strategy: S, values: ParamAssignment): S {
  const space = validateParamSpace(strategy.name, strategy.params ?? {});
  const full: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(space)) full[name] = name in values ? values[name] : spec.default;
  checkAssignment(strategy.name, space, { ...values, ...full });
  const frozen = Object.freeze(full) as ParamAssignment;
  const candidate = Object.create(strategy) as S;
  Object.defineProperties(candidate, {
    name: { value: candidateName(strategy.name, space, frozen), enumerable: true },
    paramValues: { value: frozen, enumerable: true },
  });
  return candidate;
}

/** Check a strategy's shape (used for modules loaded at run time) and return it typed. */
export function defineStrategy<S extends Strategy>(strategy: S, source = 'strategy'): S {
  parseOrThrow(StrategySchema, strategy, `${source} is not a valid strategy`, (line) => new StrategyError(line));
  return strategy;
}
