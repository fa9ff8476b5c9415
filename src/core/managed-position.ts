import { z } from 'zod';
import { TradePartSchema, type TradePart } from './trade-parts.js';

/**
 * What an open signal's management has moved or taken so far (SEMANTICS §13), part of the lane's checkpoint. A lane
 * whose signal nothing has touched holds null instead: the engine's plain path reads no field of it.
 */
export const ManagedPositionSchema = z.strictObject({
  /** Long: the highest high, short: the lowest low, of the candles checked since the entry; null before the first. */
  peak: z.number().finite().positive().nullable(),
  /** The trailing stop's level once activated. */
  trailing: z.number().finite().positive().nullable(),
  /** The breakeven level once triggered. */
  breakeven: z.number().finite().positive().nullable(),
  /** The stop and take-profit `manage` set. */
  stop: z.number().finite().positive().nullable(),
  take: z.number().finite().positive().nullable(),
  /** The fraction of the original position still open. */
  remaining: z.number().gt(0).max(1),
  /** The parts closed so far, in order. */
  parts: z.array(TradePartSchema),
});
export type ManagedPosition = Readonly<z.output<typeof ManagedPositionSchema>>;

/** One key order for every value (see `laneState`). */
export function managedPosition(
  peak: number | null,
  trailing: number | null,
  breakeven: number | null,
  stop: number | null,
  take: number | null,
  remaining: number,
  parts: readonly TradePart[],
): ManagedPosition {
  return { peak, trailing, breakeven, stop, take, remaining, parts: parts as TradePart[] };
}

export const UNTOUCHED: ManagedPosition = managedPosition(null, null, null, null, null, 1, []);
