import type { ClosedEvent } from '../../core/events.js';

/** The closed trades of one group (a symbol, an exit reason, a strategy). */
export interface TradeGroup {
  readonly key: string;
  readonly trades: number;
  readonly wins: number;
  /** wins / trades · 100. */
  readonly winRate: number;
  /** Σ money profit of the trades the account held; null without an account. */
  readonly profit: number | null;
  /** Σ per-trade pnl % (SEMANTICS §9's totalPnl of the group). */
  readonly pnlPercent: number;
  readonly avgDurationMinutes: number;
}

/** The closed trades by symbol, by exit reason and by strategy; each list sorted by key. */
export interface TradeTables {
  readonly bySymbol: TradeGroup[];
  readonly byReason: TradeGroup[];
  readonly byStrategy: TradeGroup[];
}

interface Sums {
  trades: number;
  wins: number;
  profit: number;
  held: number;
  pnl: number;
  minutes: number;
}

/**
 * Groups closed trades three ways. `profitOf` gives a trade's money profit (from the account), or undefined when
 * the account did not hold it (a rejected stake) or there is no account.
 *
 * @example
 * ```ts
 * const tables = tradeTables(summary.closed, (e) => profits.get(e.signal.id));
 * ```
 */
export function tradeTables(closed: readonly ClosedEvent[], profitOf: (e: ClosedEvent) => number | undefined = () => undefined): TradeTables {
  const symbol = new Map<string, Sums>();
  const reason = new Map<string, Sums>();
  const strategy = new Map<string, Sums>();
  let anyProfit = false;
  for (const e of closed) {
    const profit = profitOf(e);
    if (profit !== undefined) anyProfit = true;
    for (const [map, key] of [
      [symbol, e.symbol],
      [reason, e.closeReason],
      [strategy, e.strategy],
    ] as const) {
      let s = map.get(key);
      if (s === undefined) {
        s = { trades: 0, wins: 0, profit: 0, held: 0, pnl: 0, minutes: 0 };
        map.set(key, s);
      }
      s.trades += 1;
      if (e.pnl.pnlPercentage > 0) s.wins += 1;
      s.pnl += e.pnl.pnlPercentage;
      s.minutes += e.durationMinutes;
      if (profit !== undefined) {
        s.profit += profit;
        s.held += 1;
      }
    }
  }
  const rows = (map: Map<string, Sums>): TradeGroup[] =>
    [...map]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, s]) => ({
        key,
        trades: s.trades,
        wins: s.wins,
        winRate: (s.wins / s.trades) * 100,
        profit: anyProfit ? s.profit : null,
        pnlPercent: s.pnl,
        avgDurationMinutes: s.minutes / s.trades,
      }));
  return { bySymbol: rows(symbol), byReason: rows(reason), byStrategy: rows(strategy) };
}
