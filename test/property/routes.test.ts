import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import type { Config } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { accountActivation, accountEntry, accountMark, accountSettle } from '../../src/operators/account-gate.js';
import { EquityTracker } from '../../src/core/equity.js';
import { askStrategy } from '../../src/operators/ask-strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { runLanes } from '../../src/operators/run-lane.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { asyncStrategy, generateCase, renamed, syncStrategy, type Case } from './generate.js';

// Every route a candle can take to the lanes must give the same events: what a strategy sees of history depends on
// the data only, never on the source's type, on who composed the operators, or on how long a strategy took to answer.

/** A source tickflow knows nothing about: pushes every candle synchronously, ignoring any backpressure. */
function foreign(c: Case): Observable<SymbolCandle> {
  return new Observable<SymbolCandle>((subscriber) => {
    for (const x of c.merged) {
      if (subscriber.closed) return;
      subscriber.next(x);
    }
    subscriber.complete();
  });
}

function strategiesOf(c: Case): Strategy[] {
  return [
    syncStrategy('now1', '1m'),
    asyncStrategy('later1', '1m', c.seed),
    syncStrategy('now5', '5m'),
    asyncStrategy('later5', '5m', c.seed),
  ];
}

async function routes(c: Case): Promise<Record<string, SignalEvent[]>> {
  // A fixed stake: the account couples the lanes (SEMANTICS §12), and an equity-percent stake of `later1` would follow
  // the equity `now1` left it at the same instant; a fixed one is the same for both, so their events still compare.
  const config = resolveConfig({ historyCandles: c.historyCandles, avgPriceCandles: c.avgPriceCandles, closeAtEnd: true, stake: 100 });
  const strategies = strategiesOf(c);
  const lanes = { mode: 'backtest' as const };
  return {
    'backtest(replayCandles)': await collect(backtest({ source: replayCandles(c.candles), strategies, config })),
    'backtest(foreign)': await collect(backtest({ source: foreign(c), strategies, config })),
    'foreign → averagePrice → runLanes': await collect(foreign(c).pipe(averagePrice(config), runLanes(strategies, config, lanes))),
    'replayCandles → averagePrice → runLanes': await collect(
      replayCandles(c.candles).pipe(averagePrice(config), runLanes(strategies, config, lanes)),
    ),
  };
}

/** One strategy's lanes as the chain of single operators `runLanes` fuses. */
function composed(source: Observable<SymbolCandle>, strategy: Strategy, config: Config): Observable<SignalEvent> {
  const tracker = new EquityTracker({ money: config, config, curve: false }, () => {});
  return source.pipe(
    averagePrice(config),
    openLane({ strategy: strategy.name, closeAtEnd: config.closeAtEnd }),
    accountMark(tracker),
    activateScheduled(config, { activation: accountActivation(tracker) }),
    monitorSignal(config),
    accountSettle(tracker),
    partialMilestones(config),
  ).pipe(
    askStrategy(strategy, config),
    accountEntry(tracker),
    enterSignal(),
    accountSettle(tracker),
    laneEvents(),
  );
}

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('every route gives the same events (seeded random cases)', () => {
  it.each(SEEDS)('seed %i: fast path, hand-composed operators, a foreign Observable and replayCandles agree', async (seed) => {
    const c = generateCase(seed);
    const byRoute = await routes(c);
    const [reference, ...others] = Object.entries(byRoute);
    const [, expected] = reference!;
    expect(expected.length).toBeGreaterThan(0);
    for (const [route, events] of others) expect(events, `${route} vs ${reference![0]} (seed ${seed})`).toEqual(expected);
    // An async strategy sees exactly what the same strategy answering at once sees.
    expect(renamed(expected, 'later1', 'now1')).toEqual(expected.filter((e) => e.strategy === 'now1'));
    expect(renamed(expected, 'later5', 'now5')).toEqual(expected.filter((e) => e.strategy === 'now5'));
  });

  it.each(SEEDS.filter((seed) => seed % 3 === 0))('seed %i: the chain of single operators agrees with runLanes, lane by lane', async (seed) => {
    const c = generateCase(seed);
    const config = resolveConfig({ historyCandles: c.historyCandles, avgPriceCandles: c.avgPriceCandles, closeAtEnd: true });
    for (const strategy of strategiesOf(c)) {
      const fused = await collect(foreign(c).pipe(averagePrice(config), runLanes([strategy], config)));
      expect(fused.length).toBeGreaterThan(0);
      expect(await collect(composed(foreign(c), strategy, config)), `${strategy.name} (seed ${seed})`).toEqual(fused);
    }
  });

  it('the cases cover what the equivalence is about', () => {
    const cases = SEEDS.map(generateCase);
    expect(cases.filter((c) => c.historyCandles < 8).length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.historyCandles === 10_080).length).toBeGreaterThan(5);
    expect(cases.filter((c) => Object.keys(c.candles).length > 1).length).toBeGreaterThan(20);
    const gaps = (c: (typeof cases)[number]) =>
      Object.values(c.candles).some((cs) => cs.some((x, i) => i > 0 && x.timestamp - cs[i - 1]!.timestamp > 60_000));
    expect(cases.filter(gaps).length).toBeGreaterThan(40);
  });
});

describe('history seen by a strategy that answers late', () => {
  it('with historyCandles 3, a foreign source pushing everything at once, every ask still sees 3 candles', async () => {
    const c = generateCase(7);
    const seen: Record<string, number[]> = {};
    const strategy: Strategy = {
      name: 'counts',
      interval: '1m',
      getSignal: async (ctx) => {
        await Promise.resolve();
        (seen[ctx.symbol] ??= []).push(ctx.candles('1m', 100).length);
        return null;
      },
    };
    const config = resolveConfig({ historyCandles: 3, avgPriceCandles: 3 });
    await collect(foreign(c).pipe(averagePrice(config), runLanes([strategy], config)));
    // History is just starting at a symbol's first asks; every later ask sees the whole ring.
    for (const [symbol, candles] of Object.entries(c.candles)) {
      expect(seen[symbol], symbol).toEqual([1, 2, ...candles.slice(2).map(() => 3)]);
    }
  });
});
