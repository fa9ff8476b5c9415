import { z } from 'zod';
import type { Candle } from './candle.js';
import { StrategyIntervalSchema, type Interval, type StrategyInterval } from './intervals.js';
import type { SignalDto } from './signal.js';
import { parseOrThrow } from './problems.js';

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
}

export type SignalResult = SignalDto | null | undefined;

export interface Strategy {
  readonly name: string;
  /** Throttle: the strategy is asked only when `now` is a multiple of this interval. */
  readonly interval: StrategyInterval;
  getSignal(ctx: StrategyContext): SignalResult | PromiseLike<SignalResult>;
  /** The risk profile(s) this strategy is subject to. */
  readonly risk?: string | readonly string[];
}

export const StrategySchema = z.object({
  name: z.string().min(1, 'name must be a non-empty string'),
  interval: StrategyIntervalSchema,
  getSignal: z.custom<Strategy['getSignal']>((f) => typeof f === 'function', 'getSignal must be a function'),
  risk: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
});

export class StrategyError extends Error {
  override readonly name = 'StrategyError';
}

/** Check a strategy's shape (used for modules loaded at run time) and return it typed. */
export function defineStrategy<S extends Strategy>(strategy: S, source = 'strategy'): S {
  parseOrThrow(StrategySchema, strategy, `${source} is not a valid strategy`, (line) => new StrategyError(line));
  return strategy;
}
