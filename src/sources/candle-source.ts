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
      const fail = (err: unknown) => {
        stopped = true;
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
        return !stopped;
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
        void Promise.resolve(pull.close?.()).catch(() => undefined);
      };
    });
  }

  /** The same source, pausing whenever the gate is held. */
  withGate(gate: FlowGate): CandleSource {
    return new CandleSource(this.open, gate);
  }
}
