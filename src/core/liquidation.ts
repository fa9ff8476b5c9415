import type { Config } from './config.js';
import type { Position } from './signal.js';

/*
 * Leverage on isolated margin (SEMANTICS §13): the stake is the margin, the trade's pnl on it is leverage × the §7 pnl
 * (fees are charged on the notional, so they scale too), and the position is liquidated where that pnl reaches
 * leverage · maintenanceMarginPercent − 100.
 */

export type LiquidationCosts = Pick<Config, 'feePercent' | 'slippagePercent' | 'maintenanceMarginPercent'>;

/**
 * The price at which the leveraged pnl reaches `leverage · mm − 100`: for a long
 * priceOpen·(1 + s)/(1 − s)·(1 + (mm − 100/leverage + 2·fee)/100), mirrored for a short.
 */
export function liquidationPrice(position: Position, priceOpen: number, leverage: number, costs: LiquidationCosts): number {
  const s = costs.slippagePercent / 100;
  const margin = (costs.maintenanceMarginPercent - 100 / leverage + 2 * costs.feePercent) / 100;
  return position === 'long' ? ((priceOpen * (1 + s)) / (1 - s)) * (1 + margin) : ((priceOpen * (1 - s)) / (1 + s)) * (1 - margin);
}

/** Whether the liquidation price lies on the loss side of the entry (else the position would be liquidated at once). */
export function liquidatesOnLoss(position: Position, priceOpen: number, liquidation: number): boolean {
  return position === 'long' ? liquidation > 0 && liquidation < priceOpen : liquidation > priceOpen;
}
