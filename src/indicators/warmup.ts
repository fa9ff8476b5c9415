import { intervalMs } from '../core/intervals.js';
import { paramsOf, type Strategy } from '../core/strategy.js';
import { parseIndicators } from './declare.js';
import { IndicatorInstance } from './instance.js';

/**
 * How much history the declared indicators need to be warm at the first decision: base candles (indicators of the
 * base interval) and milliseconds (those of a fixed interval, whatever the base is).
 */
export interface IndicatorWarmup {
  readonly candles: number;
  readonly ms: number;
}

export const NO_WARMUP: IndicatorWarmup = Object.freeze({ candles: 0, ms: 0 });

/**
 * The warm-up of every indicator the strategies declare (each with its own parameter values): the library's
 * required inputs plus the lag, and one more bucket for a history that starts mid-bucket.
 */
export function indicatorWarmup(strategies: readonly Strategy[]): IndicatorWarmup {
  let candles = 0;
  let ms = 0;
  for (const s of strategies) {
    if (s.indicators === undefined) continue;
    for (const [, spec] of parseIndicators(s.name, s.indicators, paramsOf(s))) {
      const required = new IndicatorInstance(spec).required;
      if (spec.interval === undefined) candles = Math.max(candles, required);
      else ms = Math.max(ms, (required + 1) * intervalMs(spec.interval));
    }
  }
  return candles === 0 && ms === 0 ? NO_WARMUP : { candles, ms };
}

/** Base candles of `baseMs` that cover the warm-up. */
export function warmupCandles(warmup: IndicatorWarmup, baseMs: number): number {
  return Math.max(warmup.candles, Math.ceil(warmup.ms / baseMs));
}
