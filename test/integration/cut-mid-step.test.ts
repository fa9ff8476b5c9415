import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { SignalResult, Strategy } from '../../src/core/strategy.js';
import type { RestoredLane } from '../../src/engine/lane-book.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { checkpointCut } from '../../src/operators/checkpoint-cut.js';
import { liveLanes, runLanes } from '../../src/operators/run-lane.js';
import type { CheckpointEntry } from '../../src/store/types.js';
import { candle, eventLabel, minutes } from '../../src/testing.js';

const config = resolveConfig({ feePercent: 0, slippagePercent: 0, signalTimeoutMs: 1e9 });
/** Flat at 100, then candle 5 reaching 102.5 (the take-profit of a long opened at 100), then flat again. */
const candles = [0, 1, 2, 3, 4].map((m) => candle(m, 100)).concat([candle(5, 100, 102.5, 99.5, 100), candle(6, 100), candle(7, 100)]);
const feed: SymbolCandle[] = candles.map((c) => ({ symbol: 'TEST', interval: '1m', candle: c }));
const LONG = { position: 'long', priceTakeProfit: 102, priceStopLoss: 98, minuteEstimatedTime: 60 } as const;

/** Long at 00:02 and again at 00:06; `pending` (when given) holds the answer at 00:06 until the test settles it. */
function slow(pending?: { release?: () => void }): Strategy {
  return {
    name: 'slow',
    interval: '1m',
    getSignal: (ctx) => {
      if (ctx.now === minutes(2)) return LONG;
      if (ctx.now !== minutes(6)) return null;
      if (pending === undefined) return LONG;
      return new Promise<SignalResult>((resolve) => (pending.release = () => resolve(LONG)));
    },
  };
}
const quick: Strategy = { name: 'quick', interval: '1m', getSignal: (ctx) => (ctx.now === minutes(6) ? LONG : null) };

/** Independent (live) lanes over `candles`, every transition cut into `checkpoints` before its events go on. */
function run(strategies: Strategy[], checkpoints: Map<string, CheckpointEntry>, restore?: Map<string, CheckpointEntry>) {
  const store = { writeCheckpoint: () => undefined, writeCheckpoints: (entries: readonly CheckpointEntry[]) => entries.forEach((e) => checkpoints.set(e.strategy, e)) };
  const cut = checkpointCut(store, { outbox: (strategy) => restore?.get(strategy)?.checkpoint.events });
  const source = new Subject<SymbolCandle>();
  const events: SignalEvent[] = [];
  const restored = (strategy: string): RestoredLane | undefined => {
    const cp = restore?.get(strategy)?.checkpoint;
    return cp === undefined ? undefined : { state: cp.state, lastTimestamp: cp.lastTimestamp };
  };
  const subscription = source
    .pipe(
      averagePrice(config),
      runLanes(strategies, config, {
        mode: 'live',
        scheduler: new VirtualTimeScheduler(),
        independent: liveLanes(5_000),
        after: [cut.stage],
        waiting: cut.waiting,
        restore: restored,
      }),
    )
    .subscribe((e) => events.push(e));
  return { source, events, crash: () => subscription.unsubscribe() };
}

const ids = (events: readonly SignalEvent[]) => new Map(events.map((e) => [e.eventId, `${e.strategy} ${eventLabel(e)}`]));

describe('a checkpoint cut while another lane waits on its strategy (live lanes)', () => {
  it('records that lane as far as its step went, with the step’s events: a crash then loses nothing', async () => {
    const reference = run([slow(), quick], new Map());
    feed.forEach((c) => reference.source.next(c));
    const want = ids(reference.events);
    expect([...want.values()]).toEqual(['slow opened@2', 'slow closed:take_profit@6', 'slow opened@6', 'quick opened@6']);

    // slow's step of candle 5 closes its position, then waits on the strategy; quick's step of the same candle
    // opens (a transition: a cut) meanwhile. Then the node crashes, slow's answer never having come.
    const pending: { release?: () => void } = {};
    const checkpoints = new Map<string, CheckpointEntry>();
    const first = run([slow(pending), quick], checkpoints);
    feed.slice(0, 6).forEach((c) => first.source.next(c));
    expect(pending.release).toBeDefined();
    first.crash();

    // The restart re-delivers each lane's last events, then runs the candles again (the ones each lane covered are skipped).
    const second = run([slow(), quick], new Map(), checkpoints);
    const redelivered = [...checkpoints.values()].flatMap((e) => e.checkpoint.events);
    feed.forEach((c) => second.source.next(c));
    const got = ids([...first.events, ...redelivered, ...second.events]);
    expect([...got.entries()].sort()).toEqual([...want.entries()].sort());
  });
});
