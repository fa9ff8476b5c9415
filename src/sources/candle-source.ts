import { Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { FlowGate } from './flow-gate.js';
import { isPromise, type Pull } from './pull.js';

/**
 * An Observable of closed candles read by pulling: synchronous inputs replay synchronously at full speed, async ones
 * await only when they must, and a pipeline can slow it down through a {@link FlowGate}. Every subscription reads
 * the input afresh.
 */
export class CandleSource extends Observable<SymbolCandle> {
  constructor(
    private readonly open: () => Pull<SymbolCandle>,
    private readonly gate?: FlowGate,
  ) {
    super((subscriber) => {
      let stopped = false;
      let pull: Pull<SymbolCandle>;
      try {
        pull = open();
      } catch (err) {
        subscriber.error(err);
        return;
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
        subscriber.error(err);
      };
      const take = (r: IteratorResult<SymbolCandle>): boolean => {
        if (stopped) return false;
        if (r.done) {
          stopped = true;
          subscriber.complete();
          return false;
        }
        subscriber.next(r.value);
        // A synchronous consumer may have stopped during next() (take(n)): the teardown below is not registered
        // yet while the first synchronous pump runs, so only `closed` tells.
        return !stopped && !subscriber.closed;
      };
      const pump = (): void => {
        try {
          while (!stopped) {
            if (gate?.blocked) {
              gate.whenOpen().then(pump, fail);
              return;
            }
            const r = pull.next();
            if (isPromise(r)) {
              r.then((v) => {
                if (take(v)) pump();
              }, fail);
              return;
            }
            if (!take(r)) return;
          }
        } catch (err) {
          fail(err);
        }
      };
      pump();
      return () => {
        if (stopped) return;
        stopped = true;
        release();
      };
    });
  }

  /** The same source, pausing whenever the gate is held. */
  withGate(gate: FlowGate): CandleSource {
    return new CandleSource(this.open, gate);
  }
}
