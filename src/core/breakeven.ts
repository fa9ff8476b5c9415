import type { Config } from './config.js';
import type { Breakeven, Position } from './signal.js';

type Costs = Pick<Config, 'feePercent' | 'slippagePercent'>;

/**
 * The exit at which the trade's §7 pnl is exactly 0 (SEMANTICS §13): for a long
 * priceOpen·(1 + s)·(1 + 2·fee/100)/(1 − s); for a short priceOpen·(1 − s)·(1 − 2·fee/100)/(1 + s).
 */
export function breakevenPrice(position: Position, priceOpen: number, costs: Costs): number {
  const s = costs.slippagePercent / 100;
  const fees = (2 * costs.feePercent) / 100;
  return position === 'long' ? (priceOpen * (1 + s) * (1 + fees)) / (1 - s) : (priceOpen * (1 - s) * (1 - fees)) / (1 + s);
}

/** The breakeven price's distance from the entry, in % of priceOpen (always positive). */
export function breakevenDistancePercent(position: Position, priceOpen: number, costs: Costs): number {
  return (Math.abs(breakevenPrice(position, priceOpen, costs) - priceOpen) / priceOpen) * 100;
}

/** The trigger in % of priceOpen: `triggerPercent`, or by default the breakeven distance plus 0.2. */
export function breakevenTriggerPercent(position: Position, priceOpen: number, breakeven: Breakeven, costs: Costs): number {
  return breakeven === true ? breakevenDistancePercent(position, priceOpen, costs) + 0.2 : breakeven.triggerPercent;
}

/** The price a checked candle's high (long) or low (short) must reach to set the breakeven level. */
export function breakevenTriggerPrice(position: Position, priceOpen: number, breakeven: Breakeven, costs: Costs): number {
  const t = breakevenTriggerPercent(position, priceOpen, breakeven, costs) / 100;
  return position === 'long' ? priceOpen * (1 + t) : priceOpen * (1 - t);
}
