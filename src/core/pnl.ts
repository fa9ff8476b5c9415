import type { Config } from './config.js';
import type { Position } from './signal.js';

export interface Pnl {
  readonly pnlPercentage: number;
  readonly priceOpen: number;
  readonly priceClose: number;
  readonly priceOpenAdjusted: number;
  readonly priceCloseAdjusted: number;
}

/** Profit and loss of one round trip after slippage and fees on both sides (SEMANTICS §7). */
export function computePnl(
  position: Position,
  priceOpen: number,
  priceClose: number,
  config: Pick<Config, 'feePercent' | 'slippagePercent'>,
): Pnl {
  const s = config.slippagePercent / 100;
  const fees = 2 * config.feePercent;
  if (position === 'long') {
    const o = priceOpen * (1 + s);
    const c = priceClose * (1 - s);
    return { pnlPercentage: ((c - o) / o) * 100 - fees, priceOpen, priceClose, priceOpenAdjusted: o, priceCloseAdjusted: c };
  }
  const o = priceOpen * (1 - s);
  const c = priceClose * (1 + s);
  return { pnlPercentage: ((o - c) / o) * 100 - fees, priceOpen, priceClose, priceOpenAdjusted: o, priceCloseAdjusted: c };
}
