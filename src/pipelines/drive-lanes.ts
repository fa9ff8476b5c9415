import { Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { Strategy } from '../core/strategy.js';
import { BarBook } from '../operators/bar-book.js';
import { forward } from '../operators/forward.js';
import type { LaneOptions } from '../operators/lane-stages.js';
import { LaneSet, type LaneOutput } from '../operators/lane-set.js';
import { CandleSource, type CandleConsumer } from '../sources/candle-source.js';
import type { FlowGate } from '../sources/flow-gate.js';

export interface DriveLanesOptions {
  readonly strategies: readonly Strategy[];
  readonly config: Config;
  readonly lanes: LaneOptions;
  /** The run's backpressure: a tickflow source waits on it while a strategy is thinking. */
  readonly gate: FlowGate;
  /** Emit a `progress` event every this many candles, and a `done` event at the end. */
  readonly progressEvery?: number;
}

/**
 * `source.pipe(averagePrice(config), runLanes(strategies, config, lanes))`, with progress events, as one loop: a
 * tickflow source is read straight into the lanes (no Observable hop per candle), any other Observable is
 * subscribed to once. Same stages, same order, same events as the operators.
 */
export function driveLanes(source: Observable<SymbolCandle>, options: DriveLanesOptions): Observable<SignalEvent> {
  const { strategies, config, gate } = options;
  const every = options.progressEvery;
  return new Observable<SignalEvent>((subscriber) => {
    // A record rather than two `let`s: a double kept in a closure variable is a new heap number at every write.
    // `now` is the engine's clock: the instant the last candle closed (SEMANTICS §1), as every other event's `now`.
    const run = { processed: 0, now: 0 };
    // With progress, the end of the lanes is announced by a `done` event before completing.
    const out: LaneOutput =
      every === undefined
        ? subscriber
        : {
            next: (e) => subscriber.next(e),
            error: (err) => subscriber.error(err),
            complete: () => {
              const { processed, now } = run;
              subscriber.next({ action: 'done', eventId: `done|${processed}`, symbol: '*', strategy: '*', now, processed });
              subscriber.complete();
            },
            get closed() {
              return subscriber.closed;
            },
          };
    const bars = new BarBook(config);
    const lanes = new LaneSet(strategies, config, options.lanes, out);
    const consumer: CandleConsumer = {
      next: (c) => {
        const bar = bars.bar(c.symbol, c.interval, c.candle);
        lanes.push(bar);
        if (every !== undefined) {
          run.now = bar.now;
          const processed = ++run.processed;
          if (processed % every === 0) {
            subscriber.next({ action: 'progress', eventId: `progress|${processed}`, symbol: '*', strategy: '*', now: run.now, processed, total: null });
          }
        }
        // No stage is waiting on an earlier bar: nothing holds this one, the symbol's next bar may reuse it.
        if (lanes.settled) bars.recycle(bar);
      },
      error: (err) => subscriber.error(err),
      complete: () => lanes.end(),
      get closed() {
        return subscriber.closed;
      },
    };
    if (source instanceof CandleSource) {
      const stop = source.drive(consumer, gate);
      return () => {
        lanes.stop();
        stop();
      };
    }
    const subscription = forward(subscriber, source, consumer);
    return () => {
      lanes.stop();
      subscription.unsubscribe();
    };
  });
}
