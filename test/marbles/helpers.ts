import { map, type Observable, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig, type Config, type ConfigInput } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import { IDLE_STATE, type LaneState } from '../../src/core/lane.js';
import type { Signal } from '../../src/core/signal.js';
import type { RestoredLane } from '../../src/engine/lane-book.js';
import { eventLabel, minutes } from '../../src/testing.js';

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

export function config(overrides: ConfigInput = {}): Config {
  return resolveConfig(overrides);
}

/** A long signal on 100 / TP 105 / SL 95, lasting 10 minutes; scheduled (pendingAt null) unless pendingAt is given. */
export function longSignal(overrides: Partial<Signal> = {}): Signal {
  return {
    id: 'sig',
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 105,
    priceStopLoss: 95,
    minuteEstimatedTime: 10,
    scheduledAt: minutes(1),
    pendingAt: null,
    note: null,
    ...overrides,
  };
}

/** The mirror image: short on 100 / TP 95 / SL 105. */
export function shortSignal(overrides: Partial<Signal> = {}): Signal {
  return longSignal({ position: 'short', priceTakeProfit: 95, priceStopLoss: 105, ...overrides });
}

/** `openLane`'s `restore`: every lane starts holding this signal (a lane that already scheduled or opened it). */
export function holding(signal: Signal, state: Partial<LaneState> = {}): (symbol: string) => RestoredLane {
  return () => ({ state: { ...IDLE_STATE, signal, ...state }, lastTimestamp: -Infinity });
}

/** Events as `action[:reason|:level]@minute` labels. */
export function labels(): OperatorFunction<SignalEvent, string> {
  return map(eventLabel);
}

/** Collect a synchronous observable's values. */
export function collect<T>(source: Observable<T>): T[] {
  const out: T[] = [];
  let error: unknown;
  source.subscribe({ next: (v) => out.push(v), error: (e) => (error = e) });
  if (error !== undefined) throw error;
  return out;
}

/** One candle per frame, in order, then complete: `'xxx…x|'`. */
export function framePerCandle(
  cold: <T>(marbles: string, values?: Record<string, T>) => Observable<T>,
  candles: readonly Candle[],
  symbol = 'TEST',
): Observable<SymbolCandle> {
  return cold(`${'x'.repeat(candles.length)}|`).pipe(map((_, i) => ({ symbol, interval: '1m' as const, candle: candles[i]! })));
}
