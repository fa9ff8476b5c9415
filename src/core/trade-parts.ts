import { z } from 'zod';

/**
 * One part of a trade closed on its own (SEMANTICS §13): the fraction of the original position, the exit price, the
 * instant, and that part's pnl on margin (leverage × its §7 pnl; the §7 pnl itself without leverage).
 */
export const TradePartSchema = z.strictObject({
  fraction: z.number().gt(0).max(1),
  price: z.number().finite().positive(),
  now: z.number().int().finite(),
  pnlPercentage: z.number().finite(),
});
export type TradePart = z.output<typeof TradePartSchema>;

/** The fraction of the original position that closing `percent` of the remaining `remaining` takes. */
export function partFraction(remaining: number, percent: number): number {
  return (remaining * percent) / 100;
}

/** The trade's pnl: Σ fraction × the part's pnl, over every part (the final close included). */
export function tradePnl(parts: readonly Pick<TradePart, 'fraction' | 'pnlPercentage'>[]): number {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i]!.fraction * parts[i]!.pnlPercentage;
  return total;
}
