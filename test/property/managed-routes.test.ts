import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig, type Config } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { ManageResult } from '../../src/core/manage-actions.js';
import type { ManageContext } from '../../src/core/strategy.js';
import type { Strategy } from '../../src/core/strategy.js';
import type { StrategyInterval } from '../../src/core/intervals.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { askStrategy } from '../../src/operators/ask-strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { enterSignal } from '../../src/operators/enter-signal.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { managePosition } from '../../src/operators/manage-position.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { runLanes } from '../../src/operators/run-lane.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { generateCase, renamed, syncStrategy, type Case } from './generate.js';

// Position management (SEMANTICS §13) is part of the one lane engine: every route gives the same events, and a
// `manage` that answers late decides exactly what the same `manage` answering at once decides.

const MIN = 60_000;

/** The generated strategy's signals with a trailing stop, breakeven or leverage, in turn. */
function managedSignals(name: string, interval: StrategyInterval): Strategy {
  const base = syncStrategy(name, interval);
  return {
    ...base,
    getSignal: (ctx) => {
      const s = base.getSignal(ctx) as Exclude<ReturnType<Strategy['getSignal']>, PromiseLike<unknown>>;
      if (s === null || s === undefined) return s;
      const k = (ctx.now / MIN) % 3;
      return k === 0 ? { ...s, trailingStop: { distancePercent: 0.2, activationPercent: 0.05 } } : k === 1 ? { ...s, breakeven: true } : { ...s, leverage: 20 };
    },
  };
}

/** Takes a third off once up, then pulls the stop to 0.15 % under the price; sync or answering a few ticks later. */
function manager(later: boolean) {
  const decide = ({ price, position }: Pick<ManageContext, 'price' | 'position'>): ManageResult => {
    const long = position.signal.position === 'long';
    if (position.remaining === 1 && position.pnlPercentage > 0.05) return { action: 'partial-close', percent: 33 };
    const stop = long ? price * 0.9985 : price * 1.0015;
    return (long ? stop > position.stop : stop < position.stop) ? { action: 'move-stop', price: stop } : null;
  };
  return later
    ? async (ctx: ManageContext) => {
        for (let i = 0; i < (ctx.now / MIN) % 4; i++) await Promise.resolve();
        return decide(ctx);
      }
    : (ctx: ManageContext) => decide(ctx);
}

function strategiesOf(): Strategy[] {
  return [
    managedSignals('trail1', '1m'),
    { ...syncStrategy('now1', '1m'), manage: manager(false) },
    { ...syncStrategy('later1', '1m'), manage: manager(true) },
  ];
}

function foreign(c: Case): Observable<SymbolCandle> {
  return new Observable<SymbolCandle>((subscriber) => {
    for (const x of c.merged) subscriber.next(x);
    subscriber.complete();
  });
}

function composed(source: Observable<SymbolCandle>, strategy: Strategy, config: Config): Observable<SignalEvent> {
  return source.pipe(
    averagePrice(config),
    openLane({ strategy: strategy.name, closeAtEnd: config.closeAtEnd }),
    activateScheduled(config),
    monitorSignal(config),
    partialMilestones(config),
    managePosition(strategy, config),
    askStrategy(strategy, config),
    enterSignal(),
    laneEvents(),
  );
}

const SEEDS = Array.from({ length: 24 }, (_, i) => i + 1);

describe('managed positions on every route (seeded random cases)', () => {
  it.each(SEEDS)('seed %i: backtest, runLanes and the hand-composed chain agree; a late manage decides as a prompt one', async (seed) => {
    const c = generateCase(seed);
    const config = resolveConfig({ historyCandles: c.historyCandles, avgPriceCandles: c.avgPriceCandles, closeAtEnd: true, stake: 100 });
    const strategies = strategiesOf();
    const reference = await collect(backtest({ source: replayCandles(c.candles), strategies, config }));
    expect(await collect(foreign(c).pipe(averagePrice(config), runLanes(strategies, config)))).toEqual(reference);
    expect(renamed(reference, 'later1', 'now1')).toEqual(reference.filter((e) => e.strategy === 'now1'));
    // Without the account (the composed chain has none): lane by lane, the fused lanes and the single operators agree.
    const plain = resolveConfig({ historyCandles: c.historyCandles, avgPriceCandles: c.avgPriceCandles, closeAtEnd: true });
    for (const strategy of strategies) {
      const fused = await collect(foreign(c).pipe(averagePrice(plain), runLanes([strategy], plain)));
      expect(await collect(composed(foreign(c), strategy, plain)), `${strategy.name} (seed ${seed})`).toEqual(fused.map(withoutMoney));
    }
  });

  it('the cases exercise every part of management', async () => {
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      const c = generateCase(seed);
      const config = resolveConfig({ historyCandles: c.historyCandles, avgPriceCandles: c.avgPriceCandles, closeAtEnd: true });
      for (const e of await collect(backtest({ source: replayCandles(c.candles), strategies: strategiesOf(), config }))) {
        seen.add(e.action === 'closed' ? `closed:${e.closeReason}` : e.action === 'stop_moved' ? `stop_moved:${e.cause}` : e.action);
      }
    }
    for (const k of ['stop_moved:trailing', 'stop_moved:breakeven', 'stop_moved:manage', 'partial_closed', 'closed:trailing_stop']) expect(seen, k).toContain(k);
  });
});

function withoutMoney(e: SignalEvent): SignalEvent {
  const { stake: _s, profit: _p, ...rest } = e as SignalEvent & { stake?: number; profit?: number };
  return rest as SignalEvent;
}
