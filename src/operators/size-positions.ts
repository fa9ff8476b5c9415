import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { eventId, signalKey, type EventOf, type SignalEvent } from '../core/events.js';
import { positionSize, type Sizing } from '../core/sizing.js';
import { isoTime } from '../core/time.js';
import { parseOptions } from '../core/options.js';
import { forward } from '../engine/forward.js';

export type OpenedEvent = EventOf<'opened'>;

/** The options of {@link sizePositions}, checked when the operator is made. */
export const SizePositionsOptionsSchema = z.strictObject({
  /** The account balance, or a function of the opened event (a balance you track yourself, compounding…). */
  balance: z.custom<number | ((event: OpenedEvent) => number)>(
    (b) => (typeof b === 'number' && b > 0 && Number.isFinite(b)) || typeof b === 'function',
    'must be a finite number > 0, or a function of the opened event',
  ),
  /**
   * The method and its constraints (checked by `positionSize`), or a function of the opened event (e.g. an ATR you
   * compute per symbol).
   */
  sizing: z.custom<Sizing | ((event: OpenedEvent) => Sizing)>(
    (s) => (typeof s === 'object' && s !== null) || typeof s === 'function',
    "must be a sizing method ({ method: 'fixed-percentage' | 'kelly' | 'atr', … }) or a function of the opened event",
  ),
});
export type SizePositionsOptions = z.input<typeof SizePositionsOptionsSchema>;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : `non-Error value thrown: ${String(err)}`;
}

/**
 * Adds `quantity` (SEMANTICS §10) to every `opened` event — market entries and activated limit orders — from the
 * balance and the signal's entry (`priceOpen`, and `priceStopLoss` for fixed-percentage). All other events pass
 * unchanged.
 *
 * **Where quantity lives:** only on `opened` events, as the optional field `quantity` of the event contract (older
 * consumers ignore it, older events still parse). It is an operator over events, after the lanes: the engine's
 * decisions (risk gate, lifecycle, statistics in % points) never depend on it; a restarted run re-delivers the same
 * opened events and so, given the same balance, gets the same quantities; the signal's other events join on
 * `signal.id`.
 *
 * A quantity that cannot be computed (an ATR function answering 0, a balance ≤ 0 …) is not silently skipped: the
 * opened event passes without `quantity`, followed by an `error` event naming the strategy, symbol, time and cause.
 * Static options are checked at once, with an error naming the input.
 *
 * @example
 * ```ts
 * backtest({ source, strategies })
 *   .pipe(sizePositions({ balance: 10_000, sizing: { method: 'fixed-percentage', riskPercent: 2, maxPositionPercent: 25 } }))
 *   .subscribe((e) => e.action === 'opened' && console.log(e.symbol, e.quantity));
 * ```
 */
export function sizePositions(options: SizePositionsOptions): MonoTypeOperatorFunction<SignalEvent> {
  const { balance, sizing } = parseOptions(SizePositionsOptionsSchema, options, 'sizePositions options');
  // A static method is checked now (with a stand-in account), so a bad riskPercent fails at once, not at the first trade.
  if (typeof sizing !== 'function') positionSize(sizing, { balance: 1, priceOpen: 2, priceStopLoss: 1 });
  const quantityOf = (event: OpenedEvent): number =>
    positionSize(typeof sizing === 'function' ? sizing(event) : sizing, {
      balance: typeof balance === 'function' ? balance(event) : balance,
      priceOpen: event.signal.priceOpen,
      priceStopLoss: event.signal.priceStopLoss,
    });
  return (source) =>
    new Observable<SignalEvent>((subscriber) =>
      forward(subscriber, source, {
        next: (event) => {
          if (event.action !== 'opened') {
            subscriber.next(event);
            return;
          }
          let quantity: number;
          try {
            quantity = quantityOf(event);
          } catch (err) {
            subscriber.next(event);
            subscriber.next(sizingError(event, err));
            return;
          }
          subscriber.next({ ...event, quantity });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

function sizingError(event: OpenedEvent, err: unknown): EventOf<'error'> {
  const lane = { symbol: event.symbol, strategy: event.strategy };
  return {
    action: 'error',
    eventId: eventId(lane, signalKey(lane, event.signal), 'error:sizing'),
    symbol: event.symbol,
    strategy: event.strategy,
    now: event.now,
    message: `sizing strategy '${event.strategy}' on ${event.symbol} at ${isoTime(event.now)}: ${describe(err)}`,
  };
}
