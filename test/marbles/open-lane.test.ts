import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LaneStep } from '../../src/core/lane.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { openLane } from '../../src/operators/open-lane.js';
import { candle, marbleCandles, minuteOf } from '../../src/testing.js';
import { holding, longSignal, testScheduler } from './helpers.js';

const snapshot = map((s: LaneStep) => `${s.lane.strategy}/${s.lane.symbol}@${minuteOf(s.bar.now)}${s.final ? ' final' : ''}`);

describe('openLane', () => {
  it('turns each bar into a fresh step of its lane', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a-b|', { a: candle(0, 100), b: candle(1, 101) });
      const steps = source.pipe(averagePrice(), openLane({ strategy: 'sma' }));
      expectObservable(steps.pipe(snapshot)).toBe('a-b|', { a: 'sma/TEST@1', b: 'sma/TEST@2' });
      expectObservable(
        steps.pipe(map((s) => ({ proposal: s.proposal, transitioned: s.transitioned, events: s.events, idle: s.lane.state.signal === null }))),
      ).toBe('a-b|', {
        a: { proposal: null, transitioned: false, events: [], idle: true },
        b: { proposal: null, transitioned: false, events: [], idle: true },
      });
    });
  });

  it('one lane per symbol, the same lane object for every step of that symbol', () => {
    const lanes: LaneStep['lane'][] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abc|', {
        a: { symbol: 'BTC', interval: '1m' as const, candle: candle(0, 100) },
        b: { symbol: 'ETH', interval: '1m' as const, candle: candle(0, 10) },
        c: { symbol: 'BTC', interval: '1m' as const, candle: candle(1, 101) },
      });
      const steps = source.pipe(averagePrice(), openLane({ strategy: 's' }), map((s) => (lanes.push(s.lane), s)), snapshot);
      expectObservable(steps).toBe('abc|', { a: 's/BTC@1', b: 's/ETH@1', c: 's/BTC@2' });
    });
    expect(lanes[0]).toBe(lanes[2]);
    expect(lanes[0]).not.toBe(lanes[1]);
  });

  it('skips candles a restored lane already processed (no duplicate transitions after a restart)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abc|', { a: candle(0, 100), b: candle(1, 100), c: candle(2, 100) });
      const restore = () => ({ state: { signal: null, partials: { profit: [], loss: [] }, lastAskedAt: null }, lastTimestamp: 60_000 });
      expectObservable(source.pipe(averagePrice(), openLane({ strategy: 's', restore }), snapshot)).toBe('--c|', { c: 's/TEST@3' });
    });
  });

  it('closeAtEnd: a final step for each lane after the last bar, in symbol order (the stages settle what it holds)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const bars = cold('ab-|', {
        a: { symbol: 'ZEC', interval: '1m' as const, candle: candle(0, 100) },
        b: { symbol: 'ADA', interval: '1m' as const, candle: candle(0, 1) },
      }).pipe(averagePrice());
      const restore = holding(longSignal({ pendingAt: 0 }));
      expectObservable(bars.pipe(openLane({ strategy: 's', restore, closeAtEnd: true }), snapshot)).toBe('ab-(yz|)', {
        a: 's/ZEC@1',
        b: 's/ADA@1',
        y: 's/ADA@1 final',
        z: 's/ZEC@1 final',
      });
      expectObservable(bars.pipe(openLane({ strategy: 's', restore }), snapshot)).toBe('ab-|', { a: 's/ZEC@1', b: 's/ADA@1' });
      // Idle lanes get one too: in a composed chain a step still waiting behind an async strategy may yet open one.
      expectObservable(bars.pipe(openLane({ strategy: 's', closeAtEnd: true }), snapshot)).toBe('ab-(yz|)', {
        a: 's/ZEC@1',
        b: 's/ADA@1',
        y: 's/ADA@1 final',
        z: 's/ZEC@1 final',
      });
    });
  });
});
