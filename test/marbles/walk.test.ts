import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { closedEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import { walk, type WalkerEvent } from '../../src/operators/walk.js';
import { minutes } from '../../src/testing.js';
import { longSignal, testScheduler } from './helpers.js';

function trade(strategy: string, pnl: number, id: string): SignalEvent {
  const signal = longSignal({ id, pendingAt: minutes(1) });
  const p = { pnlPercentage: pnl, priceOpen: 100, priceClose: 100, priceOpenAdjusted: 100, priceCloseAdjusted: 100 };
  return closedEvent({ symbol: 'X', strategy }, signal, minutes(5), pnl > 0 ? 'take_profit' : 'stop_loss', p);
}
const progress: SignalEvent = { action: 'progress', eventId: 'progress|1', symbol: '*', strategy: '*', now: 0, processed: 1, total: null };

/** `progress:strategy n/N best=…` or `result:a>b>c best=…`. */
const label = map((e: WalkerEvent) =>
  e.type === 'progress'
    ? `${e.strategy} ${e.finished}/${e.total} ${e.value} best=${e.bestStrategy}`
    : `${e.strategies.map((s) => s.strategy).join('>')} best=${e.bestStrategy}`,
);

describe('walk', () => {
  it('on completion: a progress event per strategy in the order given (with the best so far), then the ranking', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = cold<SignalEvent>('a-b-c-d|', {
        a: trade('slow', 1, 's1'),
        b: trade('fast', 3, 'f1'),
        c: progress,
        d: trade('slow', 1, 's2'),
      });
      expectObservable(events.pipe(walk({ strategies: ['slow', 'fast', 'idle'], metric: 'totalPnl' }), label)).toBe('-------(pqrs|)', {
        p: 'slow 1/3 2 best=slow',
        q: 'fast 2/3 3 best=fast',
        r: 'idle 3/3 null best=fast',
        s: 'fast>slow>idle best=fast',
      });
    });
  });

  it('an error in the events is passed on, with no ranking', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = cold<SignalEvent>('a-#', { a: trade('slow', 1, 's1') }, new Error('source failed'));
      expectObservable(events.pipe(walk({ strategies: ['slow'] }))).toBe('--#', undefined, new Error('source failed'));
    });
  });

  it('events of a strategy not named are ranked after the named ones', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = cold<SignalEvent>('ab|', { a: trade('extra', 5, 'e1'), b: trade('named', -1, 'n1') });
      expectObservable(events.pipe(walk({ strategies: ['named'], metric: 'totalPnl' }), label)).toBe('--(pqr|)', {
        p: 'named 1/2 -1 best=named',
        q: 'extra 2/2 5 best=extra',
        r: 'extra>named best=extra',
      });
    });
  });

  it('invalid options name the input', () => {
    expect(() => walk({ strategies: [] })).toThrow(/walk options: 'strategies': give at least one strategy/);
    expect(() => walk({ strategies: ['a', 'a'] })).toThrow(/strategy names must be unique/);
    expect(() => walk({ strategies: ['a'], metric: 'omega' as never })).toThrow(/'metric'/);
  });

  it('opened events without a close count as open signals, not trades', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const opened = signalEvent('opened', { symbol: 'X', strategy: 'a' }, longSignal({ pendingAt: minutes(1) }), minutes(1));
      const result = cold<SignalEvent>('a|', { a: opened }).pipe(
        walk({ strategies: ['a'] }),
        map((e) => [e.type, e.type === 'progress' ? e.statistics.openSignals : e.strategies[0]!.statistics.totalSignals]),
      );
      expectObservable(result).toBe('-(pr|)', { p: ['progress', 1], r: ['result', 0] });
    });
  });
});
