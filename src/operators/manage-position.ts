import { asyncScheduler, type OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import { advanceLevels, effectiveStop, effectiveTake, stopCause } from '../core/effective-stop.js';
import { errorEvent, levelMovedEvent, partialClosedEvent } from '../core/events.js';
import { intervalMs } from '../core/intervals.js';
import { addEvent, laneState, type Bar, type LaneStep } from '../core/lane.js';
import { applyManageActions, type ManageResult } from '../core/manage-actions.js';
import type { ManagedPosition } from '../core/managed-position.js';
import type { Signal } from '../core/signal.js';
import { paramsOf, type ManageContext, type PositionView, type Strategy } from '../core/strategy.js';
import { partPnl } from '../core/trade-close.js';
import { isoTime } from '../core/time.js';
import { runStages, transition, type LaneStage, type Resume } from '../engine/stage.js';
import { describe, isThenable, LaneContext, Latch, onGrid, type AskStrategyOptions } from './ask-strategy.js';
import { closeOpenSignal } from './monitor-signal.js';
import { IndicatorReader, NO_INDICATORS, type IndicatorValues } from '../indicators/reader.js';

export type ManagePositionConfig = Pick<Config, 'feePercent' | 'slippagePercent' | 'signalTimeoutMs'>;

/** The strategy context plus the open position (SEMANTICS §13). */
class ManageLaneContext extends LaneContext implements ManageContext {
  constructor(
    bar: Bar,
    price: number,
    mode: ManageContext['mode'],
    params: ManageContext['params'],
    indicators: IndicatorValues,
    readonly position: PositionView,
  ) {
    super(bar, price, mode, params, indicators);
  }
}

function positionView(signal: Signal, managed: ManagedPosition | null, price: number, config: ManagePositionConfig): PositionView {
  return {
    signal,
    stop: effectiveStop(signal, managed),
    stopCause: stopCause(signal, managed),
    take: effectiveTake(signal, managed),
    remaining: managed?.remaining ?? 1,
    parts: managed?.parts ?? [],
    pnlPercentage: partPnl(signal, price, config),
    peak: managed?.peak ?? null,
    liquidationPrice: signal.liquidationPrice ?? null,
  };
}

/**
 * The stage behind {@link managePosition}. `strategy` may be null (or have no `manage`): then only the signal's own
 * trailing stop and breakeven move its stop.
 */
export function managePositionStage(strategy: Strategy | null, config: ManagePositionConfig, options: AskStrategyOptions = {}): LaneStage {
  const manage = strategy?.manage;
  const everyMs = strategy === null ? 0 : intervalMs(strategy.interval);
  const mode = options.mode ?? 'backtest';
  const params = strategy === null ? {} : paramsOf(strategy);
  // `manage` reads the same indicators as `getSignal` (one shared instance per symbol and spec).
  const indicators = strategy === null ? null : IndicatorReader.of(strategy, params);
  const scheduler = options.scheduler ?? asyncScheduler;
  const name = strategy?.name ?? '';
  const where = (step: LaneStep) => `strategy '${name}' on ${step.lane.symbol} at ${isoTime(step.bar.now)}`;

  /** After this candle's levels and `manage`'s actions: at most one `stop_moved` and one `take_moved`. */
  const announce = (step: LaneStep, signal: Signal, oldStop: number, oldTake: number): void => {
    const { lane, bar } = step;
    if (lane.state.signal !== signal) return;
    const managed = lane.state.managed ?? null;
    const stop = effectiveStop(signal, managed);
    if (stop !== oldStop) {
      const cause = stopCause(signal, managed);
      addEvent(step, levelMovedEvent(lane, signal, bar.now, 'stop_moved', oldStop, stop, cause === 'original' ? 'manage' : cause));
    }
    const take = effectiveTake(signal, managed);
    if (take !== oldTake) addEvent(step, levelMovedEvent(lane, signal, bar.now, 'take_moved', oldTake, take, 'manage'));
  };

  const apply = (step: LaneStep, signal: Signal, result: unknown, price: number): void => {
    const { lane, bar } = step;
    const state = lane.state;
    let outcome: ReturnType<typeof applyManageActions>;
    try {
      outcome = applyManageActions(signal, state.managed ?? null, result, price, bar.now, config);
    } catch (err) {
      // Reading the answer ran the strategy's code (a getter, a proxy): its failure is the strategy's.
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: reading manage's answer threw: ${describe(err)}`));
      return;
    }
    if (!outcome.ok) {
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: invalid manage actions (none applied): ${outcome.problems.join('; ')}`));
      return;
    }
    if (outcome.managed === (state.managed ?? null)) return;
    transition(step, laneState(signal, state.partials, state.lastAskedAt, outcome.managed));
    const parts = outcome.managed!.parts;
    const first = parts.length - outcome.partials.length;
    for (let i = 0; i < outcome.partials.length; i++) {
      addEvent(step, partialClosedEvent(lane, signal, bar.now, first + i + 1, outcome.partials[i]!));
    }
    if (outcome.close !== null) closeOpenSignal(step, signal, outcome.close, config);
  };

  const ask = (step: LaneStep, signal: Signal, price: number, oldStop: number, oldTake: number): void | Resume => {
    const { lane, bar } = step;
    let result: ManageResult | PromiseLike<ManageResult>;
    try {
      const view = positionView(signal, lane.state.managed ?? null, price, config);
      result = manage!.call(strategy, new ManageLaneContext(bar, price, mode, params, indicators === null ? NO_INDICATORS : indicators.read(bar), view));
    } catch (err) {
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: manage threw: ${describe(err)}`));
      announce(step, signal, oldStop, oldTake);
      return;
    }
    if (!isThenable(result)) {
      apply(step, signal, result, price);
      announce(step, signal, oldStop, oldTake);
      return;
    }
    const latch = new Latch();
    const fail = (why: string) => {
      if (!latch.claim()) return;
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: ${why}`));
      announce(step, signal, oldStop, oldTake);
      latch.fire();
    };
    latch.giveUp = (reason) => fail(`manage abandoned: ${reason}`);
    latch.timer = scheduler.schedule(() => fail(`manage timed out after ${config.signalTimeoutMs} ms`), config.signalTimeoutMs);
    try {
      (result as PromiseLike<ManageResult>).then(
        (value) => {
          if (!latch.claim()) return;
          apply(step, signal, value, price);
          announce(step, signal, oldStop, oldTake);
          latch.fire();
        },
        (err: unknown) => fail(`manage rejected: ${describe(err)}`),
      );
    } catch (err) {
      fail(`manage rejected: ${describe(err)}`);
    }
    return latch.settled ? undefined : latch;
  };

  const manageStep = (step: LaneStep, signal: Signal, price: number): void | Resume => {
    const { lane, bar } = step;
    const state = lane.state;
    const managed = state.managed ?? null;
    const oldStop = effectiveStop(signal, managed);
    const oldTake = effectiveTake(signal, managed);
    // The candle was checked at the levels in force when it began: what it raises acts from the next candle on.
    const advanced = advanceLevels(signal, managed, bar.candle, config);
    if (advanced !== managed) transition(step, laneState(signal, state.partials, state.lastAskedAt, advanced));
    if (manage !== undefined && onGrid(bar.now, everyMs)) return ask(step, signal, price, oldStop, oldTake);
    announce(step, signal, oldStop, oldTake);
  };

  // A signal nothing manages costs three comparisons per candle.
  return (step) => {
    const state = step.lane.state;
    const signal = state.signal;
    const price = step.bar.price;
    if (signal === null || signal.pendingAt === null || price === null || step.final) return;
    if (manage === undefined && (state.managed ?? null) === null && signal.trailingStop === undefined && signal.breakeven === undefined) return;
    // The candle the signal opened or activated at is not one of its checked candles.
    if (step.bar.candle.timestamp < signal.pendingAt) return;
    return manageStep(step, signal, price);
  };
}

/**
 * Moves and takes parts of the open signal (SEMANTICS §13), after take-profit / stop-loss / time and the partial
 * milestones: the candle's high (long) or low (short) raises the trailing stop and triggers breakeven, acting from the
 * next candle on; at the strategy's grid instants its `manage(ctx)` may close, close a part, move the stop or the
 * take-profit (all actions or none). The effective stop and take each move at most once per candle, announced by one
 * `stop_moved` / `take_moved` event after the partial-milestone events.
 *
 * @example
 * ```ts
 * steps$.pipe(monitorSignal(config), partialMilestones(config), managePosition(strategy, config), askStrategy(strategy, config))
 * ```
 */
export function managePosition(strategy: Strategy | null, config: ManagePositionConfig, options?: AskStrategyOptions): OperatorFunction<LaneStep, LaneStep> {
  return runStages(managePositionStage(strategy, config, options));
}
