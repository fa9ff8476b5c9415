import { z } from 'zod';

export const MINUTE_MS = 60_000;

/** Candle intervals and their length in milliseconds (SEMANTICS §1). */
export const INTERVAL_MS = {
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '2h': 120 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '6h': 360 * MINUTE_MS,
  '8h': 480 * MINUTE_MS,
  '12h': 720 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
  '3d': 3 * 1440 * MINUTE_MS,
  '1w': 7 * 1440 * MINUTE_MS,
} as const;

export type Interval = keyof typeof INTERVAL_MS;

export const IntervalSchema = z.enum(Object.keys(INTERVAL_MS) as [Interval, ...Interval[]]);

/** Intervals a strategy may be throttled to (SEMANTICS §3). */
export const StrategyIntervalSchema = z.enum(['1m', '3m', '5m', '15m', '30m', '1h']);
export type StrategyInterval = z.infer<typeof StrategyIntervalSchema>;

export function intervalMs(interval: Interval): number {
  const ms = INTERVAL_MS[interval];
  if (ms === undefined) {
    throw new Error(`unknown interval '${String(interval)}': expected one of ${Object.keys(INTERVAL_MS).join(' ')}`);
  }
  return ms;
}
