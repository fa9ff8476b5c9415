import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { laneStatus, type LaneState } from '../../src/core/lane.js';
import type { Strategy } from '../../src/core/strategy.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { askStrategy } from '../../src/operators/ask-strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { checkpoint, checkpointStage, restoreFrom } from '../../src/operators/checkpoint.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { runLane } from '../../src/operators/run-lane.js';
import type { CheckpointInput } from '../../src/store/types.js';
import { candle, eventLabel, marbleCandles, minutes } from '../../src/testing.js';

const config = resolveConfig({ feePercent: 0, slippagePercent: 0 });

/** Goes long once, at 00:01: take-profit 102, stop-loss 98. */
const once: Strategy = {
  name: 'once',
  interval: '1m',
  getSignal: (ctx) =>
    ctx.now === minutes(1) ? { position: 'long', priceTakeProfit: 102, priceStopLoss: 98, minuteEstimatedTime: 10 } : null,
};

const values = {
  a: candle(0, 100),
  b: candle(1, 100),
  c: candle(2, 100, 102.5, 99.5, 100),
};

/** A store that writes into a shared log, so the log shows writes and released events in the order they happened. */
function recordingStore(log: string[], now: () => number) {
  return {
    writeCheckpoint(strategy: string, symbol: string, cp: CheckpointInput) {
      const what = cp.events.map(eventLabel).join(',');
      log.push(`${now()}: write ${strategy} ${symbol} ${laneStatus(cp.state)} last=${cp.lastTimestamp / 60_000} [${what}]`);
    },
  };
}

const newScheduler = () => new TestScheduler((a, e) => expect(a).toEqual(e));

describe('checkpointStage in runLanes', () => {
  it('writes the new state before the transition’s events are released, and only on transitions', () => {
    const log: string[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const store = recordingStore(log, () => scheduler.now());
      const events = marbleCandles(cold, 'a-b-c|', values).pipe(
        averagePrice(config),
        runLane(once, config, { after: [checkpointStage(store)] }),
        map(eventLabel),
        tap((label) => log.push(`${scheduler.now()}: event ${label}`)),
      );
      expectObservable(events).toBe('o---t|', { o: 'opened@1', t: 'closed:take_profit@3' });
    });
    expect(log).toEqual([
      '0: write once TEST opened last=0 [opened@1]',
      '0: event opened@1',
      // b: no transition, no write.
      '4: write once TEST idle last=2 [closed:take_profit@3]',
      '4: event closed:take_profit@3',
    ]);
  });

  it('a failed write stops the run with its error and the event is never released', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const failing = {
        writeCheckpoint() {
          throw new Error('disk full');
        },
      };
      const events = marbleCandles(cold, 'a-b-c|', values).pipe(
        averagePrice(config),
        runLane(once, config, { after: [checkpointStage(failing)] }),
        map(eventLabel),
      );
      expectObservable(events).toBe('#', undefined, new Error('disk full'));
    });
  });

  it('a lane restored from a checkpoint skips the candles it already processed and carries on', () => {
    const log: string[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const store = recordingStore(log, () => scheduler.now());
      const opened = {
        signal: {
          id: 'once:TEST:60000',
          position: 'long' as const,
          priceOpen: 100,
          priceTakeProfit: 102,
          priceStopLoss: 98,
          minuteEstimatedTime: 10,
          scheduledAt: minutes(1),
          pendingAt: minutes(1),
          note: null,
        },
        partials: { profit: [], loss: [] },
        lastAskedAt: minutes(1),
      };
      const restore = restoreFrom({
        readCheckpoint: () => ({ version: 2, state: opened, lastTimestamp: minutes(0), events: [] }),
      });
      const events = marbleCandles(cold, 'a-b-c|', values).pipe(
        averagePrice(config),
        runLane(once, config, { after: [checkpointStage(store)], restore }),
        map(eventLabel),
      );
      // a is skipped (already processed); the restored position closes at c.
      expectObservable(events).toBe('----t|', { t: 'closed:take_profit@3' });
    });
    expect(log).toEqual(['4: write once TEST idle last=2 [closed:take_profit@3]']);
  });
});

describe('restored lanes keep their original clocks', () => {
  const restoring = (state: LaneState) => restoreFrom({ readCheckpoint: () => ({ version: 2, state, lastTimestamp: minutes(0), events: [] }) });
  const idleStrategy: Strategy = { name: 'once', interval: '1m', getSignal: () => null };
  const flat = { a: candle(0, 100), b: candle(1, 100), c: candle(2, 100), d: candle(3, 100), e: candle(4, 100) };
  const signal = {
    id: 'once:TEST:60000',
    position: 'long' as const,
    priceOpen: 95,
    priceTakeProfit: 110,
    priceStopLoss: 90,
    minuteEstimatedTime: 3,
    scheduledAt: minutes(1),
    pendingAt: null,
    note: null,
  };

  it('a restored scheduled signal times out at its original deadline', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const events = marbleCandles(cold, 'abcde|', flat).pipe(
        averagePrice(config),
        runLane(idleStrategy, resolveConfig({ scheduleAwaitMinutes: 3 }), {
          restore: restoring({ signal, partials: { profit: [], loss: [] }, lastAskedAt: minutes(1) }),
        }),
        map(eventLabel),
      );
      // Scheduled at 00:01 with 3 minutes to fill: cancelled at 00:04, after the 00:03 candle.
      expectObservable(events).toBe('---c-|', { c: 'cancelled:timeout@4' });
    });
  });

  it('a restored open signal expires at its original expiry', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const opened = { ...signal, priceOpen: 100, pendingAt: minutes(1) };
      const events = marbleCandles(cold, 'abcde|', flat).pipe(
        averagePrice(config),
        runLane(idleStrategy, config, { restore: restoring({ signal: opened, partials: { profit: [], loss: [] }, lastAskedAt: minutes(1) }) }),
        map(eventLabel),
      );
      // Opened at 00:01 for 3 minutes: closed by time at 00:04.
      expectObservable(events).toBe('---t-|', { t: 'closed:time_expired@4' });
    });
  });
});

describe('checkpoint() in a composed lane chain', () => {
  it('sits between the lane operators and laneEvents, writing before the events go on', () => {
    const log: string[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const store = recordingStore(log, () => scheduler.now());
      const events = marbleCandles(cold, 'a-b-c|', values).pipe(
        averagePrice(config),
        openLane({ strategy: once.name }),
        activateScheduled(config),
        monitorSignal(config),
        partialMilestones(config),
        askStrategy(once, config, { scheduler }),
        enterSignal(),
        checkpoint(store),
        laneEvents(),
        map(eventLabel),
        tap((label) => log.push(`${scheduler.now()}: event ${label}`)),
      );
      expectObservable(events).toBe('o---t|', { o: 'opened@1', t: 'closed:take_profit@3' });
    });
    expect(log).toEqual([
      '0: write once TEST opened last=0 [opened@1]',
      '0: event opened@1',
      '4: write once TEST idle last=2 [closed:take_profit@3]',
      '4: event closed:take_profit@3',
    ]);
  });
});
