import type { OpenStake } from './account.js';
import type { Config } from './config.js';

/** The latest close of one symbol, changed in place: marking a candle allocates nothing. */
export interface Mark {
  close: number;
  /** The candle's timestamp. */
  at: number;
}

/**
 * An open position with its symbol's mark and the parts of its §7 pnl that do not depend on the close, computed once
 * at open: {@link MarkedPosition.worth} is then a few flops per instant, with the same operations in the same order as
 * `positionWorth` (so the same bits), and no lookups in the config or the position.
 */
export class MarkedPosition {
  readonly stake: number;
  private readonly long: boolean;
  /** priceOpen with the entry's slippage. */
  private readonly entry: number;
  /** The factor the close takes for the exit's slippage. */
  private readonly exit: number;
  private readonly fees: number;
  /** Leverage above 1, else 0: the pnl on margin is leverage × u. */
  private readonly leverage: number;

  constructor(
    position: OpenStake,
    readonly mark: Mark,
    costs: Pick<Config, 'feePercent' | 'slippagePercent'>,
  ) {
    const s = costs.slippagePercent / 100;
    this.long = position.position === 'long';
    this.entry = position.priceOpen * (this.long ? 1 + s : 1 - s);
    this.exit = this.long ? 1 - s : 1 + s;
    this.fees = 2 * costs.feePercent;
    this.stake = position.stake;
    this.leverage = position.leverage ?? 0;
  }

  /** Worth at the mark (its stake before the symbol's first close). */
  worth(): number {
    const close = this.mark.close;
    if (close !== close) return this.stake;
    const o = this.entry;
    const u = this.long ? ((close * this.exit - o) / o) * 100 - this.fees : ((o - close * this.exit) / o) * 100 - this.fees;
    return this.stake * (1 + (this.leverage === 0 ? u : this.leverage * u) / 100);
  }
}
