import { Observable, type Subscriber } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { Bar } from '../core/lane.js';
import type { Strategy } from '../core/strategy.js';
import { BarBook } from './bar-book.js';
import { indicatorWarmup } from '../indicators/warmup.js';
import { forward } from './forward.js';
import type { LaneOptions } from './lane-stages.js';
import { LaneSet, type LaneOutput } from './lane-set.js';
import { isCandleSource, type CandleConsumer } from '../sources/candle-source.js';
import type { FlowGate } from '../core/flow-gate.js';

export interface DriveLanesOptions {
  readonly strategies: readonly Strategy[];
  readonly config: Config;
  readonly lanes: LaneOptions;
  /** The run's backpressure: a tickflow source waits on it while a strategy is thinking. */
  readonly gate: FlowGate;
  /** Emit a `progress` event every this many candles, and a `done` event at the end. */
  readonly progressEvery?: number;
  /** Bars closing before this instant fill history and price but reach no lane (RESEARCH §2 warm-up). */
  readonly decisionsFrom?: number;
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
    const progress = every === undefined ? null : new Progress(subscriber, every);
    const lanes = new LaneSet(strategies, config, options.lanes, progress ?? subscriber);
    const driver = new LaneDriver(new BarBook({ ...config, indicatorWarmup: indicatorWarmup(strategies) }), lanes, subscriber, progress, options.decisionsFrom ?? -Infinity);
    // By shape: a source from another bundle of tickflow keeps the fast path (and its own gate, which drive() honours).
    if (isCandleSource(source)) {
      const stop = source.drive(driver, gate);
      return () => {
        lanes.stop();
        stop();
      };
    }
    const subscription = forward(subscriber, source, driver);
    return () => {
      lanes.stop();
      subscription.unsubscribe();
    };
  });
}

// Classes rather than object literals: an object literal with a getter is a slow (dictionary) object, and `closed`
// is read after every candle.

/** Each candle into its bar and the lanes. */
class LaneDriver implements CandleConsumer {
  constructor(
    private readonly bars: BarBook,
    private readonly lanes: LaneSet,
    private readonly subscriber: Subscriber<SignalEvent>,
    private readonly progress: Progress | null,
    private readonly decisionsFrom: number,
  ) {}

  next(c: SymbolCandle): void {
    const bar = this.bars.bar(c.symbol, c.interval, c.candle);
    if (bar.now >= this.decisionsFrom) this.lanes.push(bar);
    this.progress?.count(bar);
    // No stage is waiting on an earlier bar: nothing holds this one, the symbol's next bar may reuse it.
    if (this.lanes.settled) this.bars.recycle(bar);
  }

  error(err: unknown): void {
    this.subscriber.error(err);
  }

  complete(): void {
    this.lanes.end();
  }

  get closed(): boolean {
    return this.subscriber.closed;
  }
}

/** A `progress` event every `every` candles, and a `done` event once the lanes are through. */
class Progress implements LaneOutput {
  private processed = 0;
  /** The engine's clock: the instant the last candle closed (SEMANTICS §1), as every other event's `now`. */
  private now = 0;

  constructor(
    private readonly subscriber: Subscriber<SignalEvent>,
    private readonly every: number,
  ) {}

  count(bar: Bar): void {
    this.now = bar.now;
    const processed = ++this.processed;
    if (processed % this.every !== 0) return;
    this.subscriber.next({ action: 'progress', eventId: `progress|${processed}`, symbol: '*', strategy: '*', now: this.now, processed, total: null });
  }

  next(event: SignalEvent): void {
    this.subscriber.next(event);
  }

  error(err: unknown): void {
    this.subscriber.error(err);
  }

  complete(): void {
    const { processed, now } = this;
    this.subscriber.next({ action: 'done', eventId: `done|${processed}`, symbol: '*', strategy: '*', now, processed });
    this.subscriber.complete();
  }

  get closed(): boolean {
    return this.subscriber.closed;
  }
}
