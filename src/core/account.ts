import type { Config } from './config.js';
import type { Stake } from './money-config.js';
import type { Position } from './signal.js';
import { stakeAmount } from './stake.js';

/*
 * The account of a run (SEMANTICS §12) as pure rules: opening takes a stake out of free cash, closing returns
 * stake · (1 + pnl/100), an open position is worth stake · (1 + u/100) at its symbol's latest close. One account is
 * shared by every lane of a run; each open position costs one small record, whatever the length of history.
 */

type Costs = Pick<Config, 'feePercent' | 'slippagePercent'>;

/** The reason of the one rejection the account can cause (a `risk` event once wired into the gate). */
export const INSUFFICIENT_BALANCE = 'insufficient balance';

/** One funded open position: what it took out of cash and what is needed to mark it. */
export interface OpenStake {
  readonly symbol: string;
  readonly strategy: string;
  readonly signalId: string;
  readonly position: Position;
  readonly priceOpen: number;
  /** What is still in the position: the whole stake until a part of it is closed (SEMANTICS §13). */
  readonly stake: number;
  /** Leverage above 1 (SEMANTICS §13): the stake is the margin, its pnl leverage × the §7 pnl. Absent: 1. */
  readonly leverage?: number;
  /** Once a part was closed: the stake at opening, and what the parts returned to cash so far (stake and profit). */
  readonly original?: number;
  readonly returned?: number;
}

export interface AccountState {
  readonly cash: number;
  readonly feesPaid: number;
  /** Keyed by lane (strategy and symbol): a lane holds at most one open signal (SEMANTICS §4). */
  readonly positions: ReadonlyMap<string, OpenStake>;
}

/** What identifies a signal to the account: its lane and id. */
export interface SignalRef {
  readonly symbol: string;
  readonly strategy: string;
  readonly signalId: string;
}

export interface OpenRequest extends SignalRef {
  readonly position: Position;
  readonly priceOpen: number;
  readonly priceStopLoss: number;
  /** The signal's leverage (SEMANTICS §13); absent or 1 for none. */
  readonly leverage?: number;
}

export type OpenResult =
  | { readonly accepted: true; readonly state: AccountState; readonly stake: number }
  | { readonly accepted: false; readonly state: AccountState; readonly stake: number; readonly reason: typeof INSUFFICIENT_BALANCE };

export type CloseResult =
  | { readonly held: true; readonly state: AccountState; readonly stake: number; readonly profit: number; readonly fees: number }
  /** The account never funded this signal (its stake was rejected, or it opened before the account existed). */
  | { readonly held: false; readonly state: AccountState };

export function laneKey(ref: Pick<SignalRef, 'symbol' | 'strategy'>): string {
  return `${ref.strategy}|${ref.symbol}`;
}

/** A fresh account holding `balance` in free cash. */
export function newAccount(balance: number): AccountState {
  return { cash: balance, feesPaid: 0, positions: new Map() };
}

/**
 * The §7 pnl percentage of `computePnl`, as a bare number: marking every open position at every instant must not
 * allocate a `Pnl` record each time.
 */
export function markPercent(position: Position, priceOpen: number, priceClose: number, costs: Costs): number {
  const s = costs.slippagePercent / 100;
  const fees = 2 * costs.feePercent;
  if (position === 'long') {
    const o = priceOpen * (1 + s);
    return ((priceClose * (1 - s) - o) / o) * 100 - fees;
  }
  const o = priceOpen * (1 - s);
  return ((o - priceClose * (1 + s)) / o) * 100 - fees;
}

/** What an open position is worth with `close` as its exit: stake · (1 + u/100), u the §7 pnl at that close. */
export function positionWorth(p: OpenStake, close: number, costs: Costs): number {
  const u = markPercent(p.position, p.priceOpen, close, costs);
  return p.stake * (1 + (p.leverage === undefined ? u : p.leverage * u) / 100);
}

/**
 * Free cash plus every open position marked to its symbol's latest close; a position whose symbol has no close yet is
 * worth its stake.
 */
export function equityOf(state: AccountState, latestClose: ReadonlyMap<string, number>, costs: Costs): number {
  let equity = state.cash;
  for (const p of state.positions.values()) {
    const close = latestClose.get(p.symbol);
    equity += close === undefined ? p.stake : positionWorth(p, close, costs);
  }
  return equity;
}

/**
 * Opens a position: the stake (sized from `equity`, the account's equity at this instant) leaves free cash. A stake
 * larger than free cash, or not positive, is rejected with {@link INSUFFICIENT_BALANCE} and nothing changes; nothing is
 * sized down.
 */
export function openStake(state: AccountState, request: OpenRequest, stake: Stake, equity: number): OpenResult {
  const amount = stakeAmount(stake, { equity, priceOpen: request.priceOpen, priceStopLoss: request.priceStopLoss });
  // `!(amount > 0)` also catches NaN.
  if (!(amount > 0) || amount > state.cash) return { accepted: false, state, stake: amount, reason: INSUFFICIENT_BALANCE };
  const positions = new Map(state.positions);
  const open: { -readonly [K in keyof OpenStake]: OpenStake[K] } = {
    symbol: request.symbol,
    strategy: request.strategy,
    signalId: request.signalId,
    position: request.position,
    priceOpen: request.priceOpen,
    stake: amount,
  };
  if (request.leverage !== undefined && request.leverage > 1) open.leverage = request.leverage;
  positions.set(laneKey(request), open);
  return { accepted: true, state: { cash: state.cash - amount, feesPaid: state.feesPaid, positions }, stake: amount };
}

/**
 * Closes a position with its §7 pnl: stake · (1 + pnl/100) returns to cash, so the money profit is stake · pnl/100
 * (fees and slippage included) and the fees of the round trip, stake · 2 · fee/100, are counted as paid.
 */
export function closeStake(state: AccountState, ref: SignalRef, pnlPercentage: number, costs: Costs): CloseResult {
  const key = laneKey(ref);
  const held = state.positions.get(key);
  if (held === undefined || held.signalId !== ref.signalId) return { held: false, state };
  const notional = held.leverage === undefined ? held.stake : held.stake * held.leverage;
  const fees = (notional * 2 * costs.feePercent) / 100;
  const positions = new Map(state.positions);
  positions.delete(key);
  if (held.original !== undefined) {
    // Closed in parts: `pnlPercentage` is the trade's total, so what the last part returns is the whole trade's
    // stake · (1 + pnl/100) less what the earlier parts returned; the profit is the whole trade's.
    const profit = (held.original * pnlPercentage) / 100;
    const back = held.original + profit - held.returned!;
    return { held: true, state: { cash: state.cash + back, feesPaid: state.feesPaid + fees, positions }, stake: held.original, profit, fees };
  }
  const profit = (held.stake * pnlPercentage) / 100;
  return {
    held: true,
    state: { cash: state.cash + held.stake + profit, feesPaid: state.feesPaid + fees, positions },
    stake: held.stake,
    profit,
    fees,
  };
}

export type PartialCloseResult =
  | { readonly held: true; readonly state: AccountState; readonly stake: number; readonly profit: number; readonly fees: number }
  | { readonly held: false; readonly state: AccountState };

/**
 * Closes `fraction` of the original position with that part's pnl on margin (SEMANTICS §13): its part of the stake
 * and its profit return to cash, the rest stays in the position.
 */
export function partialCloseStake(state: AccountState, ref: SignalRef, fraction: number, pnlPercentage: number, costs: Costs): PartialCloseResult {
  const key = laneKey(ref);
  const held = state.positions.get(key);
  if (held === undefined || held.signalId !== ref.signalId) return { held: false, state };
  const original = held.original ?? held.stake;
  const stake = original * fraction;
  const profit = (stake * pnlPercentage) / 100;
  const fees = ((held.leverage === undefined ? stake : stake * held.leverage) * 2 * costs.feePercent) / 100;
  const positions = new Map(state.positions);
  positions.set(key, { ...held, stake: held.stake - stake, original, returned: (held.returned ?? 0) + stake + profit });
  return { held: true, state: { cash: state.cash + stake + profit, feesPaid: state.feesPaid + fees, positions }, stake, profit, fees };
}
