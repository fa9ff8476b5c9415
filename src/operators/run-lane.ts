import { Observable, type OperatorFunction } from 'rxjs';
import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { Bar, LaneStep } from '../core/lane.js';
import type { Strategy } from '../core/strategy.js';
import type { FlowGate } from '../sources/flow-gate.js';
import { activateScheduledStage, type ActivateScheduledOptions } from './activate-scheduled.js';
import { askStrategyStage, type AskStrategyOptions } from './ask-strategy.js';
import { enterSignalStage } from './enter-signal.js';
import { LaneBook, type RestoredLane } from './lane-book.js';
import { monitorSignalStage } from './monitor-signal.js';
import { partialMilestonesStage } from './partial-milestones.js';
import { profileStages, type StageProfiler } from './profiler.js';
import { StageRunner, type LaneStage } from './stage.js';
import { forward } from './forward.js';

export interface LaneOptions extends AskStrategyOptions, ActivateScheduledOptions {
  /** Stages between the strategy and the entry: the risk gate, sizing, a user's own filter. */
  readonly gates?: readonly LaneStage[];
  /** Stages after the entry, before events are released: the checkpoint. */
  readonly after?: readonly LaneStage[];
  /** State to resume a lane (strategy × symbol) from. */
  readonly restore?: (strategy: string, symbol: string) => RestoredLane | undefined;
  /** Held while a strategy is thinking, so a gated source waits instead of flooding the queue. */
  readonly gate?: FlowGate;
  /** Times every stage (e.g. a `PerformanceRecorder`); absent, the stages run unwrapped. */
  readonly profiler?: StageProfiler;
}

/**
 * The lane's stages in lifecycle order (SEMANTICS §4): scheduled activation, take-profit / stop-loss / time,
 * partial milestones, then — for an idle lane on its grid — the strategy, the gates and the entry.
 */
export function laneStages(strategy: Strategy, config: Config, options: LaneOptions = {}): LaneStage[] {
  const stages = [
    activateScheduledStage(config, options),
    monitorSignalStage(config),
    partialMilestonesStage(config),
    askStrategyStage(strategy, config, options),
    ...(options.gates ?? []),
    enterSignalStage,
    ...(options.after ?? []),
  ];
  if (options.profiler === undefined) return stages;
  const gates = (options.gates ?? []).map((g, i) => g.name || `gate ${i + 1}`);
  const after = (options.after ?? []).map((a, i) => a.name || `after ${i + 1}`);
  // The strategy stage runs user code: timed per strategy. The engine's own stages are timed across lanes.
  const names = ['activateScheduled', 'monitorSignal', 'partialMilestones', `askStrategy ${strategy.name}`, ...gates, 'enterSignal', ...after];
  return profileStages(stages, names, options.profiler);
}

/**
 * Several strategies' lanes (one per strategy × symbol) as one fused operator. Each bar is handed to every
 * strategy's lane in the order the strategies were given, through one queue: the order of everything is fixed by
 * the data, never by how long an async strategy took. Runs the same stages as composing
 * `openLane → activateScheduled → monitorSignal → partialMilestones → askStrategy → enterSignal → laneEvents`,
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
  const names = new Set<string>();
  for (const s of strategies) {
    if (names.has(s.name)) throw new Error(`two strategies are named '${s.name}': lane keys must be unique`);
    names.add(s.name);
  }
  return (source) =>
    new Observable<SignalEvent>((subscriber) => {
      const lanes = strategies.map((strategy) => ({
        book: new LaneBook({ strategy: strategy.name, restore: options.restore && ((sym) => options.restore!(strategy.name, sym)) }),
        stages: laneStages(strategy, config, options),
      }));
      const stagesByName = new Map(lanes.map((l, i) => [strategies[i]!.name, l.stages]));
      const stagesOf = lanes.length === 1 ? () => lanes[0]!.stages : (step: LaneStep) => stagesByName.get(step.lane.strategy)!;
      const emit = (step: LaneStep) => {
        const events = step.events;
        for (let i = 0; i < events.length; i++) subscriber.next(events[i]!);
        // A synchronous source is still inside subscribe() when a consumer unsubscribes (take(n)), before the
        // teardown below exists: stop here, or the rest of history runs through the stages (and checkpoints) unseen.
        if (subscriber.closed) {
          runner.stop();
          finals.stop();
        }
      };
      // Final steps are built only once every queued step went through, so they see the lanes' last state.
      // A stage that throws (a checkpoint that could not be written) ends the run with that error: nothing after it
      // may be released as if the state were safe.
      const fail = (err: unknown) => {
        runner.stop();
        finals.stop();
        subscriber.error(err);
      };
      const finals: StageRunner = new StageRunner(stagesOf, emit, () => subscriber.complete(), options.gate, fail);
      const runner: StageRunner = new StageRunner(stagesOf, emit, () => {
        if (config.closeAtEnd) for (const { book } of lanes) for (const step of book.finalSteps()) finals.push(step);
        finals.end();
      }, options.gate, fail);
      const subscription = forward(subscriber, source, {
        next: (bar) => {
          for (let i = 0; i < lanes.length; i++) {
            const step = lanes[i]!.book.step(bar);
            if (step !== null) runner.push(step);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => runner.end(),
      });
      return () => {
        runner.stop();
        finals.stop();
        subscription.unsubscribe();
      };
    });
}

/** One strategy's lanes: {@link runLanes} with a single strategy. */
export function runLane(strategy: Strategy, config: Config, options: LaneOptions = {}): OperatorFunction<Bar, SignalEvent> {
  return runLanes([strategy], config, options);
}
