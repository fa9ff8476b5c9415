import type { Config } from './config.js';
import type { ManagedPosition } from './managed-position.js';
import { computePnl, type Pnl } from './pnl.js';
import type { Signal } from './signal.js';
import type { TradePart } from './trade-parts.js';
import { tradePnl } from './trade-parts.js';

type Costs = Pick<Config, 'feePercent' | 'slippagePercent'>;

/** A part's pnl on margin: leverage × its §7 pnl (SEMANTICS §13). */
export function partPnl(signal: Signal, price: number, costs: Costs): number {
  const pnl = computePnl(signal.position, signal.priceOpen, price, costs).pnlPercentage;
  const leverage = signal.leverage;
  return leverage === undefined || leverage === 1 ? pnl : leverage * pnl;
}

export interface TradeClose {
  /** The final exit's prices with the trade's pnl: the §7 pnl of a plain signal, unchanged. */
  readonly pnl: Pnl;
  /** Every part (the final close last) when the trade was closed in parts; else null. */
  readonly parts: readonly TradePart[] | null;
}

/**
 * The pnl of closing what remains of the signal at `price` (SEMANTICS §7, §13): the sum over the parts of fraction ×
 * the part's pnl on margin, the final close taking the remaining fraction. A plain signal gets exactly §7's record.
 */
export function tradeClose(signal: Signal, m: ManagedPosition | null, price: number, now: number, costs: Costs): TradeClose {
  const base = computePnl(signal.position, signal.priceOpen, price, costs);
  const leverage = signal.leverage ?? 1;
  if (m === null || m.parts.length === 0) {
    return { pnl: leverage === 1 ? base : withPercent(base, leverage * base.pnlPercentage), parts: null };
  }
  const parts: TradePart[] = [...m.parts, { fraction: m.remaining, price, now, pnlPercentage: leverage * base.pnlPercentage }];
  return { pnl: withPercent(base, tradePnl(parts)), parts };
}

function withPercent(pnl: Pnl, pnlPercentage: number): Pnl {
  return {
    pnlPercentage,
    priceOpen: pnl.priceOpen,
    priceClose: pnl.priceClose,
    priceOpenAdjusted: pnl.priceOpenAdjusted,
    priceCloseAdjusted: pnl.priceCloseAdjusted,
  };
}
