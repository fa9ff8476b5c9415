import type { Stake } from './money-config.js';
import { positionSize } from './sizing.js';

/** What a stake is computed from at the instant of opening. */
export interface StakeContext {
  /** Free cash plus every open position marked to market. */
  readonly equity: number;
  readonly priceOpen: number;
  readonly priceStopLoss: number;
}

/**
 * The amount a new position takes out of free cash (SEMANTICS §12): a fixed amount, `equityPercent` of the equity, or
 * the quantity of a §10 sizing method times priceOpen — with the equity as the method's balance, so sizing compounds
 * like the percentage stake does. A sizing input that gives no quantity throws its {@link SizingError}.
 *
 * @example
 * ```ts
 * stakeAmount({ equityPercent: 10 }, { equity: 10_000, priceOpen: 42_000, priceStopLoss: 41_000 }); // 1000
 * ```
 */
export function stakeAmount(stake: Stake, context: StakeContext): number {
  if (typeof stake === 'number') return stake;
  if ('equityPercent' in stake) return (context.equity * stake.equityPercent) / 100;
  // A non-positive equity cannot size anything; the account rejects the stake as not positive.
  if (!(context.equity > 0)) return 0;
  const quantity = positionSize(stake, { balance: context.equity, priceOpen: context.priceOpen, priceStopLoss: context.priceStopLoss });
  return quantity * context.priceOpen;
}
