import type { Position, TrailingStop } from './signal.js';

/** The peak (long: highest high; short: lowest low) after one more checked candle. */
export function nextPeak(position: Position, peak: number | null, high: number, low: number): number {
  if (position === 'long') return peak === null || high > peak ? high : peak;
  return peak === null || low < peak ? low : peak;
}

/**
 * The trailing level at this peak (SEMANTICS §13), or null before activation: once the peak passes
 * priceOpen·(1 ± activation/100), the level trails it at `distancePercent` (long: below, short: above).
 */
export function trailingLevel(position: Position, priceOpen: number, peak: number, trailing: TrailingStop): number | null {
  const activation = trailing.activationPercent / 100;
  const d = trailing.distancePercent / 100;
  if (position === 'long') return peak >= priceOpen * (1 + activation) ? peak * (1 - d) : null;
  return peak <= priceOpen * (1 - activation) ? peak * (1 + d) : null;
}
