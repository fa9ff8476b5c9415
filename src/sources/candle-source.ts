import { Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import { eitherGate, type GateView } from '../core/flow-gate.js';
import { isPromise, type Pull } from './pull.js';

/**
 * What a {@link CandleSource} feeds: a subscriber, or a pipeline that consumes candles itself. `closed` is read after
 * every candle: a consumer that stopped while handling one (`take(n)`) must not be handed the next.
 */
export interface CandleConsumer {
  next(candle: SymbolCandle): void;
  error(err: unknown): void;
  complete(): void;
  readonly closed: boolean;
}

/**
 * An Observable of closed candles read by pulling: synchronous inputs replay synchronously at full speed, async ones
 * await only when they must, and a pipeline can slow it down through a {@link FlowGate}. Every subscription reads
 * the input afresh.
 */
export class CandleSource extends Observable<SymbolCandle> {
  constructor(
    private readonly open: () => Pull<SymbolCandle>,
    private readonly gate?: GateView,
  ) {
    super((subscriber) => pump(open, gate, subscriber));
  }

  /** The same source, pausing whenever the gate (or a gate it was given before) is held. */
  withGate(gate: GateView): CandleSource {
    return new CandleSource(this.open, eitherGate(this.gate, gate));
  }

  /**
   * Reads the input afresh straight into `consumer`, as a subscription would but without an Observable hop per
   * candle (the backtest pipeline's hot path). The consumer must not keep the `SymbolCandle` objects it is handed
   * (one may be refilled for the next candle; the `candle` in it may be kept). Pauses while `gate` or the source's
   * own gate ({@link withGate}) is held. Returns the teardown: it stops reading and releases the input.
   */
  drive(consumer: CandleConsumer, gate?: GateView): () => void {
    return pump(this.open, eitherGate(this.gate, gate), consumer, true);
  }
}

/**
 * A {@link CandleSource} recognised by its shape rather than by class identity: one made by another bundle of
 * tickflow (ESM and CommonJS each carry their own class) still takes the fast path.
 */
export function isCandleSource(x: unknown): x is CandleSource {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<CandleSource>;
  return typeof s.subscribe === 'function' && typeof s.drive === 'function' && typeof s.withGate === 'function';
}

function pump(open: () => Pull<SymbolCandle>, gate: GateView | undefined, consumer: CandleConsumer, reuse = false): () => void {
  let stopped = false;
  let pull: Pull<SymbolCandle>;
  try {
    pull = open();
  } catch (err) {
    consumer.error(err);
    return () => undefined;
  }
  const release = () => {
    try {
      void Promise.resolve(pull.close?.()).catch(() => undefined);
    } catch {
      // closing is best effort: the consumer is already gone or told of the failure
    }
  };
  const fail = (err: unknown) => {
    stopped = true;
    // A failed input still holds the others open (the other files of a merge): release them first.
    release();
    consumer.error(err);
  };
  const take = (r: IteratorResult<SymbolCandle>): boolean => {
    if (stopped) return false;
    if (r.done) {
      stopped = true;
      consumer.complete();
      return false;
    }
    consumer.next(r.value);
    // A synchronous consumer may have stopped during next() (take(n)): the teardown below is not registered
    // yet while the first synchronous pump runs, so only `closed` tells.
    return !stopped && !consumer.closed;
  };
  // An in-memory input hands its candles over in one synchronous call, for as long as nothing asks to stop.
  const drains = pull.drain !== undefined;
  const each = (candle: SymbolCandle): boolean => {
    consumer.next(candle);
    return !stopped && !consumer.closed && !gate?.blocked;
  };
  const loop = (): void => {
    try {
      while (!stopped) {
        if (gate?.blocked) {
          gate.whenOpen().then(loop, fail);
          return;
        }
        if (drains) {
          if (pull.drain!(each, reuse)) {
            if (stopped) return;
            stopped = true;
            consumer.complete();
            return;
          }
          if (stopped || consumer.closed) return;
          continue;
        }
        const r = pull.next();
        if (isPromise(r)) {
          r.then((v) => {
            // A consumer that is not a subscriber may throw from next(): that ends the run, as in the loop below.
            try {
              if (take(v)) loop();
            } catch (err) {
              fail(err);
            }
          }, fail);
          return;
        }
        if (!take(r)) return;
      }
    } catch (err) {
      fail(err);
    }
  };
  loop();
  return () => {
    if (stopped) return;
    stopped = true;
    release();
  };
}
