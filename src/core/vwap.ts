import type { Candle } from './candle.js';

/**
 * Volume-weighted typical price of the given candles (SEMANTICS §2); the simple mean of the closes when no volume
 * traded; `null` when there are no candles.
 */
export function vwap(candles: readonly Candle[]): number | null {
  if (candles.length === 0) return null;
  let pv = 0;
  let v = 0;
  let closes = 0;
  for (const c of candles) {
    pv += ((c.high + c.low + c.close) / 3) * c.volume;
    v += c.volume;
    closes += c.close;
  }
  return v > 0 ? pv / v : closes / candles.length;
}
