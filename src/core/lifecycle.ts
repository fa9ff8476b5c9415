import type { Candle } from './candle.js';
import type { Config } from './config.js';
import type { CancelReason, CloseReason } from './events.js';
import { MINUTE_MS } from './intervals.js';
import type { Signal } from './signal.js';

/** The pure trading rules of one lane (SEMANTICS §4, §6): functions of a signal and one closed candle. */

/**
 * A closed candle, the engine's clock at its close and the current price: what the rules read of a lane's bar. The
 * lanes hand the rules their bar rather than its numbers: a number passed to a call that is not inlined is boxed
 * (a heap allocation), once per candle and lane.
 */
export interface Moment {
  readonly candle: Candle;
  readonly now: number;
  /** The current price; the rules that use it are only asked when there is one. */
  readonly price: number | null;
}

export type ScheduledOutcome = { readonly kind: 'open' } | { readonly kind: 'cancel'; readonly reason: CancelReason };

const OPEN: ScheduledOutcome = { kind: 'open' };
const CANCEL_TIMEOUT: ScheduledOutcome = { kind: 'cancel', reason: 'timeout' };
const CANCEL_STOP: ScheduledOutcome = { kind: 'cancel', reason: 'stop_loss' };

export function scheduleDeadline(signal: Signal, config: Pick<Config, 'scheduleAwaitMinutes'>): number {
  return signal.scheduledAt + config.scheduleAwaitMinutes * MINUTE_MS;
}

/**
 * A scheduled (limit) signal meets the candle that closed at `now` (SEMANTICS §4.1). Stop first: a candle that
 * touched both the stop-loss and priceOpen cancels.
 */
export function stepScheduled(
  signal: Signal,
  candle: Candle,
  now: number,
  config: Pick<Config, 'scheduleAwaitMinutes'>,
): ScheduledOutcome | null {
  return stepScheduledAt(signal, { candle, now }, config);
}

/** {@link stepScheduled} at a lane's bar. */
export function stepScheduledAt(
  signal: Signal,
  at: Pick<Moment, 'candle' | 'now'>,
  config: Pick<Config, 'scheduleAwaitMinutes'>,
): ScheduledOutcome | null {
  const candle = at.candle;
  if (candle.timestamp < signal.scheduledAt) return null;
  const deadline = scheduleDeadline(signal, config);
  if (candle.timestamp >= deadline) return CANCEL_TIMEOUT;
  if (signal.position === 'long') {
    if (candle.low <= signal.priceStopLoss) return CANCEL_STOP;
    if (candle.low <= signal.priceOpen) return OPEN;
  } else {
    if (candle.high >= signal.priceStopLoss) return CANCEL_STOP;
    if (candle.high >= signal.priceOpen) return OPEN;
  }
  return at.now >= deadline ? CANCEL_TIMEOUT : null;
}

export interface CloseOutcome {
  readonly reason: CloseReason;
  readonly price: number;
}

export function signalExpiry(signal: Signal): number {
  return (signal.pendingAt ?? signal.scheduledAt) + signal.minuteEstimatedTime * MINUTE_MS;
}

/**
 * An open signal meets the candle that closed at `now` (SEMANTICS §4.2): take-profit and stop-loss fill at exactly
 * their price; a candle touching both is resolved by `intrabar`; expiry closes at the current price.
 */
export function stepOpen(
  signal: Signal,
  candle: Candle,
  now: number,
  price: number,
  config: Pick<Config, 'intrabar'>,
): CloseOutcome | null {
  return stepOpenAt(signal, { candle, now, price }, config);
}

/** {@link stepOpen} at a lane's bar, which has a price. */
export function stepOpenAt(signal: Signal, at: Moment, config: Pick<Config, 'intrabar'>): CloseOutcome | null {
  const candle = at.candle;
  const pendingAt = signal.pendingAt!;
  if (candle.timestamp < pendingAt) return null;
  const expiry = signalExpiry(signal);
  if (candle.timestamp >= expiry) return { reason: 'time_expired', price: at.price! };
  const long = signal.position === 'long';
  const tpHit = long ? candle.high >= signal.priceTakeProfit : candle.low <= signal.priceTakeProfit;
  const slHit = long ? candle.low <= signal.priceStopLoss : candle.high >= signal.priceStopLoss;
  if (tpHit && slHit) {
    return config.intrabar === 'take-profit-first'
      ? { reason: 'take_profit', price: signal.priceTakeProfit }
      : { reason: 'stop_loss', price: signal.priceStopLoss };
  }
  if (tpHit) return { reason: 'take_profit', price: signal.priceTakeProfit };
  if (slHit) return { reason: 'stop_loss', price: signal.priceStopLoss };
  return at.now >= expiry ? { reason: 'time_expired', price: at.price! } : null;
}

/** Progress toward take-profit at price `p`, in %, capped at 100 (SEMANTICS §6); negative when moving away. */
export function profitProgress(signal: Signal, p: number): number {
  const o = signal.priceOpen;
  const x = ((p - o) / (signal.priceTakeProfit - o)) * 100;
  return x < 100 ? x : 100;
}

/** Progress toward stop-loss at price `p`, in %, capped at 100 (SEMANTICS §6); negative when moving away. */
export function lossProgress(signal: Signal, p: number): number {
  const o = signal.priceOpen;
  const x = ((o - p) / (o - signal.priceStopLoss)) * 100;
  return x < 100 ? x : 100;
}

/** Progress toward take-profit and stop-loss at price `p`, each capped at 100 (SEMANTICS §6). */
export function milestoneProgress(signal: Signal, p: number): { readonly profit: number; readonly loss: number } {
  return { profit: profitProgress(signal, p), loss: lossProgress(signal, p) };
}

/**
 * Levels reached by `progress` and not yet in `reached`, ascending (each level at most once per signal). Crossing a
 * level means crossing every lower one, so `reached` is always a prefix of the sorted levels: the hot path only
 * compares `progress` with the next level (see {@link nextLevelReached}).
 */
export function newLevels(progress: number, levels: readonly number[], reached: readonly number[]): number[] {
  // The usual case, `reached` a prefix of `levels`: the new levels are one run of them, copied into an array of the
  // exact size (push reserves room for 17, and slice is a library call: both measured ~2x slower here).
  const r = reached.length;
  if (r <= levels.length) {
    let i = 0;
    while (i < r && reached[i] === levels[i]) {
      if (levels[i]! > progress) return NO_LEVELS;
      i++;
    }
    let j = r;
    // (A level listed twice and already reached is not new: that rare list takes the general path below.)
    while (i === r && j < levels.length && !(levels[j]! > progress)) if (reached.includes(levels[j++]!)) i = -1;
    if (i === r) {
      if (j === r) return NO_LEVELS;
      const out = new Array<number>(j - r);
      for (let k = r; k < j; k++) out[k - r] = levels[k]!;
      return out;
    }
  }
  let out: number[] | null = null;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level > progress) break;
    // `reached[i] === level` is the prefix case, answered without a search.
    if (reached[i] !== level && !reached.includes(level)) (out ??= []).push(level);
  }
  return out ?? NO_LEVELS;
}

const NO_LEVELS: number[] = [];

/** Whether `progress` reaches a level not yet in `reached` (the sorted prefix): one comparison per candle. */
export function nextLevelReached(progress: number, levels: readonly number[], reached: readonly number[]): boolean {
  const next = levels[reached.length];
  return next !== undefined && progress >= next;
}

/**
 * Whether the bar's price reaches a level not yet reached toward take-profit or toward stop-loss
 * ({@link nextLevelReached} for both sides): the per-candle check of an open signal, taking the bar and answering a
 * boolean, so no number is boxed on the way in or out.
 */
export function reachesNextLevel(
  signal: Signal,
  at: Pick<Moment, 'price'>,
  levels: readonly number[],
  profitReached: readonly number[],
  lossReached: readonly number[],
): boolean {
  const p = at.price!;
  return nextLevelReached(profitProgress(signal, p), levels, profitReached) || nextLevelReached(lossProgress(signal, p), levels, lossReached);
}
