import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { laneStatus } from '../../src/core/lane.js';
import type { Strategy } from '../../src/core/strategy.js';
import { checkpointCut } from '../../src/operators/checkpoint-cut.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import type { CheckpointEntry, LaneProgress } from '../../src/store/types.js';
import { candle, eventLabel, minutes } from '../../src/testing.js';

const config = { feePercent: 0, slippagePercent: 0 };

/** Goes long at `at` (take-profit 102, stop-loss 98), answering through a Promise when `async`. */
function longAt(name: string, at: number, async = false): Strategy {
  const answer = (now: number) =>
    now === minutes(at) ? ({ position: 'long', priceTakeProfit: 102, priceStopLoss: 98, minuteEstimatedTime: 10 } as const) : null;
  return {
    name,
    interval: '1m',
    getSignal: async ? (ctx) => new Promise((resolve) => setTimeout(() => resolve(answer(ctx.now)), 1)) : (ctx) => answer(ctx.now),
  };
}

/** Flat at 100 until 00:05, then a candle reaching 102.5 (take-profit), then flat again. */
const candles = [0, 1, 2, 3, 4].map((m) => candle(m, 100)).concat([candle(5, 100, 102.5, 99.5, 100), candle(6, 100), candle(7, 100)]);

/** Each write, as `strategy status last=minute [events]` per lane. */
async function cuts(strategies: Strategy[]) {
  const writes: string[][] = [];
  const store = {
    writeCheckpoint: () => {
      throw new Error('a cut is one transaction: writeCheckpoints');
    },
    writeCheckpoints: (entries: readonly CheckpointEntry[]) => {
      writes.push(
        entries.map(
          ({ strategy, checkpoint: cp }) =>
            `${strategy} ${laneStatus(cp.state)} last=${cp.lastTimestamp / 60_000} [${cp.events.map(eventLabel).join(',')}]`,
        ),
      );
    },
  };
  const cut = checkpointCut(store);
  const events = await lastValueFrom(
    backtest({ source: replayCandles({ TEST: candles }), strategies, config, lanes: { after: [cut.stage] } }).pipe(toArray()),
  );
  return { writes, events: events.map((e) => `${e.strategy} ${eventLabel(e)}`), cut: () => (cut.cut(), writes.at(-1)) };
}

/** Each cut through `writeCut`: lanes written whole as `strategy status last=minute [events]`, the others as `strategy +last=minute`. */
async function cutsWithProgress(strategies: Strategy[]) {
  const writes: string[][] = [];
  const store = {
    writeCheckpoint: () => {
      throw new Error('a cut is one transaction: writeCut');
    },
    writeCut: (entries: readonly CheckpointEntry[], progress: readonly LaneProgress[]) => {
      writes.push([
        ...entries.map(({ strategy, checkpoint: cp }) => `${strategy} ${laneStatus(cp.state)} last=${cp.lastTimestamp / 60_000} [${cp.events.map(eventLabel).join(',')}]`),
        ...progress.map((p) => `${p.strategy} +last=${p.lastTimestamp / 60_000}`),
      ]);
    },
  };
  const cut = checkpointCut(store);
  await lastValueFrom(backtest({ source: replayCandles({ TEST: candles }), strategies, config, lanes: { after: [cut.stage] } }).pipe(toArray()));
  return { writes, cut: () => (cut.cut(), writes.at(-1)) };
}

const never: Strategy = { name: 'never', interval: '1m', getSignal: () => null };

describe('checkpointCut', () => {
  it('writes whole only the lanes whose state or outbox changed; of the others, how far they got', async () => {
    const { writes, cut } = await cutsWithProgress([longAt('a', 2), longAt('b', 3), never]);
    expect(writes).toEqual([
      // The first cut writes every lane whole (this process has not written them yet).
      ['a opened last=1 [opened@2]', 'b idle last=0 []', 'never idle last=0 []'],
      ['b opened last=2 [opened@3]', 'a +last=2', 'never +last=1'],
      ['a idle last=5 [closed:take_profit@6]', 'b +last=4', 'never +last=4'],
      // Same candle: `never` has not moved since the cut before, so it is not written at all.
      ['b idle last=5 [closed:take_profit@6]'],
    ]);
    // At the end (a clean stop): only how far every lane got.
    expect(cut()).toEqual(['a +last=7', 'b +last=7', 'never +last=7']);
    // Nothing moved since: nothing to write.
    const before = writes.length;
    cut();
    expect(writes).toHaveLength(before);
  });

  it('writes every lane that has run, in one transaction, at each transition; each keeps its own last events', async () => {
    const { writes, events, cut } = await cuts([longAt('a', 2), longAt('b', 3)]);
    expect(events).toEqual(['a opened@2', 'b opened@3', 'a closed:take_profit@6', 'b closed:take_profit@6']);
    expect(writes).toEqual([
      // b runs after a at each candle: when a opens (candle 1), b has processed candle 0.
      ['a opened last=1 [opened@2]', 'b idle last=0 []'],
      ['a opened last=2 [opened@2]', 'b opened last=2 [opened@3]'],
      ['a idle last=5 [closed:take_profit@6]', 'b opened last=4 [opened@3]'],
      ['a idle last=5 [closed:take_profit@6]', 'b idle last=5 [closed:take_profit@6]'],
    ]);
    // At the end (a clean stop): how far every lane got, outboxes unchanged.
    expect(cut()).toEqual(['a idle last=7 [closed:take_profit@6]', 'b idle last=7 [closed:take_profit@6]']);
  });

  it('never records a candle a lane has not processed yet, even while it waits behind an asynchronous strategy', async () => {
    // `slow` thinks at every candle; `b`'s step of the same candle is created, and waits in the queue, meanwhile.
    const { writes, events } = await cuts([longAt('slow', 2, true), longAt('b', 3)]);
    expect(events).toEqual(['slow opened@2', 'b opened@3', 'slow closed:take_profit@6', 'b closed:take_profit@6']);
    // slow's transition at 00:02 (candle 1) is written while b's step of candle 1 waits in the queue: b is at
    // candle 0, although its lane already counts candle 1 as taken.
    expect(writes[0]).toEqual(['slow opened last=1 [opened@2]', 'b idle last=0 []']);
  });
});
