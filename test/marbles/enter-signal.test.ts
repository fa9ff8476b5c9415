import { map } from 'rxjs';
import { describe, it } from 'vitest';
import type { LaneStep } from '../../src/core/lane.js';
import { proposeSignal, type SignalDto } from '../../src/core/signal.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { openLane } from '../../src/operators/open-lane.js';
import { candle, marbleCandles, minutes, type MarbleFactory } from '../../src/testing.js';
import { config, holding, labels, testScheduler } from './helpers.js';

/** Stands in for askStrategy (or a user's own stage): proposes `dto` at the given minutes. */
function propose(dtos: Record<number, SignalDto>) {
  return map((step: LaneStep) => {
    const dto = dtos[step.bar.now / 60_000];
    if (dto !== undefined) {
      const proposal = proposeSignal(dto, { strategy: 's', symbol: step.lane.symbol, now: step.bar.now, price: step.bar.price!, config: config() });
      if ('problems' in proposal) throw new Error(proposal.problems.join('; '));
      step.proposal = proposal;
    }
    return step;
  });
}

const market: SignalDto = { position: 'long', priceTakeProfit: 102, priceStopLoss: 98, minuteEstimatedTime: 30 };
const limit: SignalDto = { position: 'short', priceOpen: 101, priceTakeProfit: 99, priceStopLoss: 103, minuteEstimatedTime: 30 };

describe('enterSignal', () => {
  const flat = (cold: MarbleFactory) =>
    marbleCandles(cold, 'abc|', { a: candle(0, 100), b: candle(1, 100), c: candle(2, 100) });

  it('a market proposal is opened now, a limit not yet reached is scheduled', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = (dtos: Record<number, SignalDto>) =>
        flat(cold).pipe(averagePrice(), openLane({ strategy: 's' }), propose(dtos), enterSignal(), laneEvents(), labels());
      expectObservable(events({ 2: market })).toBe('-o-|', { o: 'opened@2' });
      expectObservable(events({ 1: limit })).toBe('s--|', { s: 'scheduled@1' });
    });
  });

  it('takes the proposal: the lane holds the signal, partials start afresh, the step is a transition', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const restore = holding(null as never, { partials: { profit: [10, 20], loss: [10] } });
      const steps = flat(cold).pipe(averagePrice(), openLane({ strategy: 's', restore }), propose({ 2: market }), enterSignal());
      expectObservable(
        steps.pipe(
          map((s) => ({
            proposal: s.proposal,
            transitioned: s.transitioned,
            pendingAt: s.lane.state.signal?.pendingAt ?? null,
            partials: s.lane.state.partials.profit.length + s.lane.state.partials.loss.length,
          })),
        ),
      ).toBe('abc|', {
        a: { proposal: null, transitioned: false, pendingAt: null, partials: 3 },
        b: { proposal: null, transitioned: true, pendingAt: minutes(2), partials: 0 },
        c: { proposal: null, transitioned: false, pendingAt: minutes(2), partials: 0 },
      });
    });
  });

  it('a gate between the strategy and the entry can drop a proposal', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const veto = map((step: LaneStep) => ((step.proposal = null), step));
      const events = flat(cold).pipe(averagePrice(), openLane({ strategy: 's' }), propose({ 1: market }), veto, enterSignal(), laneEvents());
      expectObservable(events.pipe(labels())).toBe('---|');
    });
  });
});
