import { Observable, type OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { Bar } from '../core/lane.js';
import type { Strategy } from '../core/strategy.js';
import { forward } from '../engine/forward.js';
import type { IndependentLanes, LaneOptions } from '../engine/lane-stages.js';
import { checkLaneKeys, LaneSet } from '../engine/lane-set.js';

export { laneStages, type IndependentLanes, type LaneOptions } from '../engine/lane-stages.js';

/** Candles a live lane may queue behind its thinking strategy: far beyond what `signalTimeoutMs` lets pile up. */
export const LIVE_MAX_QUEUED = 1_000;

/** A live node's lanes: each waits only for its own strategy (see `LaneSet`), with the stop grace given. */
export function liveLanes(stopGraceMs: number, maxQueued = LIVE_MAX_QUEUED): IndependentLanes {
  return { maxQueued, stopGraceMs };
}

/**
 * Several strategies' lanes (one per strategy × symbol) as one fused operator. Each bar is handed to every
 * strategy's lane in the order the strategies were given, through one queue: the order of everything is fixed by
 * the data, never by how long an async strategy took. Runs the same stages as composing
 * `openLane → activateScheduled → monitorSignal → partialMilestones → managePosition → askStrategy → enterSignal →
 * laneEvents`,
 * at the cost of one operator per candle.
 *
 * @example
 * ```ts
 * replayCandles({ 'ETH/BTC': candles })
 *   .pipe(averagePrice(config), runLanes([fast, slow], config))
 *   .subscribe((event) => console.log(event.strategy, event.action, event.now));
 * ```
 */
export function runLanes(
  strategies: readonly Strategy[],
  config: Config,
  options: LaneOptions = {},
): OperatorFunction<Bar, SignalEvent> {
  checkLaneKeys(strategies);
  return (source) =>
    new Observable<SignalEvent>((subscriber) => {
      const lanes = new LaneSet(strategies, config, options, subscriber);
      const subscription = forward(subscriber, source, {
        next: (bar) => lanes.push(bar),
        error: (err) => subscriber.error(err),
        complete: () => lanes.end(),
      });
      return () => {
        lanes.stop();
        subscription.unsubscribe();
      };
    });
}

/** One strategy's lanes: {@link runLanes} with a single strategy. */
export function runLane(strategy: Strategy, config: Config, options: LaneOptions = {}): OperatorFunction<Bar, SignalEvent> {
  return runLanes([strategy], config, options);
}
