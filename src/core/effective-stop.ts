import type { Candle } from './candle.js';
import type { Config } from './config.js';
import type { CloseReason } from './events.js';
import { breakevenPrice, breakevenTriggerPrice } from './breakeven.js';
import { signalExpiry, type CloseOutcome, type Moment } from './lifecycle.js';
import { managedPosition, UNTOUCHED, type ManagedPosition } from './managed-position.js';
import type { Signal } from './signal.js';
import { nextPeak, trailingLevel } from './trailing.js';

/** Which component sets the effective stop (SEMANTICS §13); `original` is the signal's own `priceStopLoss`. */
export type StopCause = 'original' | 'breakeven' | 'trailing' | 'manage';

/** `a` is a tighter stop than `b` (long: higher, short: lower). */
function tighter(long: boolean, a: number, b: number): boolean {
  return long ? a > b : a < b;
}

/**
 * The effective stop: the tightest of the original stop, the breakeven and trailing levels and the stop `manage` set.
 * On a tie the earlier component keeps it (the original first), so a stop that never moved is `original`.
 */
export function effectiveStop(signal: Signal, m: ManagedPosition | null): number {
  let stop = signal.priceStopLoss;
  if (m === null) return stop;
  const long = signal.position === 'long';
  if (m.breakeven !== null && tighter(long, m.breakeven, stop)) stop = m.breakeven;
  if (m.trailing !== null && tighter(long, m.trailing, stop)) stop = m.trailing;
  if (m.stop !== null && tighter(long, m.stop, stop)) stop = m.stop;
  return stop;
}

/** The component that sets {@link effectiveStop}. */
export function stopCause(signal: Signal, m: ManagedPosition | null): StopCause {
  let stop = signal.priceStopLoss;
  let cause: StopCause = 'original';
  if (m === null) return cause;
  const long = signal.position === 'long';
  if (m.breakeven !== null && tighter(long, m.breakeven, stop)) (stop = m.breakeven), (cause = 'breakeven');
  if (m.trailing !== null && tighter(long, m.trailing, stop)) (stop = m.trailing), (cause = 'trailing');
  if (m.stop !== null && tighter(long, m.stop, stop)) cause = 'manage';
  return cause;
}

/** The effective take-profit: the one `manage` set, else the original. */
export function effectiveTake(signal: Signal, m: ManagedPosition | null): number {
  return m === null || m.take === null ? signal.priceTakeProfit : m.take;
}

/**
 * The levels after a checked candle that did not close the signal (SEMANTICS §13): the peak takes in the candle's high
 * (long) or low (short), and the trailing and breakeven levels follow it. They act from the next candle on. The same
 * value when nothing changed.
 */
export function advanceLevels(
  signal: Signal,
  m: ManagedPosition | null,
  candle: Candle,
  costs: Pick<Config, 'feePercent' | 'slippagePercent'>,
): ManagedPosition | null {
  const current = m ?? UNTOUCHED;
  const position = signal.position;
  const peak = nextPeak(position, current.peak, candle.high, candle.low);
  if (peak === current.peak) return m;
  let trailing = current.trailing;
  if (signal.trailingStop !== undefined) {
    const level = trailingLevel(position, signal.priceOpen, peak, signal.trailingStop);
    if (level !== null) trailing = level;
  }
  let breakeven = current.breakeven;
  if (breakeven === null && signal.breakeven !== undefined) {
    const trigger = breakevenTriggerPrice(position, signal.priceOpen, signal.breakeven, costs);
    if (position === 'long' ? peak >= trigger : peak <= trigger) breakeven = breakevenPrice(position, signal.priceOpen, costs);
  }
  return managedPosition(peak, trailing, breakeven, current.stop, current.take, current.remaining, current.parts);
}

/** The close reason of the effective stop: `stop_loss` while it is the original, `trailing_stop` once it moved. */
function stopReason(signal: Signal, m: ManagedPosition | null): CloseReason {
  return stopCause(signal, m) === 'original' ? 'stop_loss' : 'trailing_stop';
}

/**
 * {@link stepOpenAt} with the effective levels in force when the candle began and the liquidation price (SEMANTICS
 * §13): of the effective stop and the liquidation price, the one nearer the entry acts (a stop beyond the liquidation
 * price never does).
 */
export function stepManagedAt(signal: Signal, m: ManagedPosition | null, at: Moment, config: Pick<Config, 'intrabar'>): CloseOutcome | null {
  const candle = at.candle;
  if (candle.timestamp < signal.pendingAt!) return null;
  const expiry = signalExpiry(signal);
  if (candle.timestamp >= expiry) return { reason: 'time_expired', price: at.price! };
  const long = signal.position === 'long';
  const take = effectiveTake(signal, m);
  const stop = effectiveStop(signal, m);
  const liquidation = signal.liquidationPrice;
  // On a tie the stop acts: it is the order the trader placed.
  const liquidates = liquidation !== undefined && tighter(long, liquidation, stop);
  const down = liquidates ? liquidation : stop;
  const tpHit = long ? candle.high >= take : candle.low <= take;
  const downHit = long ? candle.low <= down : candle.high >= down;
  const downOutcome = (): CloseOutcome => ({ reason: liquidates ? 'liquidated' : stopReason(signal, m), price: down });
  if (tpHit && downHit) return config.intrabar === 'take-profit-first' ? { reason: 'take_profit', price: take } : downOutcome();
  if (tpHit) return { reason: 'take_profit', price: take };
  if (downHit) return downOutcome();
  return at.now >= expiry ? { reason: 'time_expired', price: at.price! } : null;
}
