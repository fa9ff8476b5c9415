import type { Config } from '../core/config.js';
import type { EquityTracker } from '../core/equity.js';
import type { Strategy } from '../core/strategy.js';
import type { FlowGate } from '../core/flow-gate.js';
import { activateScheduledStage, type ActivateScheduledOptions } from '../operators/activate-scheduled.js';
import { askStrategyStage, type AskStrategyOptions } from '../operators/ask-strategy.js';
import { enterSignalStage } from '../operators/enter-signal.js';
import type { RestoredLane } from './lane-book.js';
import { monitorSignalStage } from '../operators/monitor-signal.js';
import { partialMilestonesStage } from '../operators/partial-milestones.js';
import { managePositionStage } from '../operators/manage-position.js';
import { profileStages, type StageProfiler } from '../operators/profiler.js';
import type { LaneStage } from './stage.js';
import type { LaneStep } from '../core/lane.js';

/**
 * Live: every lane (strategy × symbol) waits only for its own strategy. A lane whose strategy is thinking queues its
 * own candles while the other lanes go on; when the answer comes it catches up through them in order. See
 * {@link LaneSet} for what that keeps equal to a backtest.
 */
export interface IndependentLanes {
  /**
   * Candles a lane may queue behind a strategy that is thinking: one more abandons the ask (an `error` event naming
   * the bound; no signal) and the lane catches up.
   */
  readonly maxQueued: number;
  /** Once the source has ended, how long a strategy still thinking may take before its ask is abandoned. */
  readonly stopGraceMs: number;
}

export interface LaneOptions extends AskStrategyOptions, ActivateScheduledOptions {
  /** Decouple the lanes (live); absent, one queue in data order for every lane (backtests: results never depend on timing). */
  readonly independent?: IndependentLanes;
  /**
   * The run's account (SEMANTICS §12), shared by every lane: pass one to watch it (its outputs), share it or restore
   * it from a checkpoint; a function gives each strategy its own (a walker: strategies compared, never coupled);
   * absent, `LaneSet` makes one from the config's `balance` and `stake`.
   */
  readonly account?: EquityTracker | ((strategy: string) => EquityTracker);
  /** Stages before every other, at each candle (the account's mark). */
  readonly before?: readonly LaneStage[];
  /** Stages right after take-profit / stop-loss / time, before the strategy is asked (the account's settlement). */
  readonly monitored?: readonly LaneStage[];
  /** Stages between the strategy and the entry: the risk gate, sizing, a user's own filter. */
  readonly gates?: readonly LaneStage[];
  /** Stages after the entry, before events are released: the checkpoint. */
  readonly after?: readonly LaneStage[];
  /**
   * Told when a lane's step starts waiting on an asynchronous answer, its earlier stages done: with independent
   * lanes other lanes' checkpoints are cut meanwhile, and must record this lane as far as it got (`checkpointCut`).
   */
  readonly waiting?: (step: LaneStep) => void;
  /** State to resume a lane (strategy × symbol) from. */
  readonly restore?: (strategy: string, symbol: string) => RestoredLane | undefined;
  /** Held while a strategy is thinking, so a gated source waits instead of flooding the queue. */
  readonly gate?: FlowGate;
  /** Times every stage (e.g. a `PerformanceRecorder`); absent, the stages run unwrapped. */
  readonly profiler?: StageProfiler;
}

/**
 * The lane's stages in lifecycle order (SEMANTICS §4, §13): scheduled activation, take-profit / stop-loss / time,
 * partial milestones, the position's management (trailing, breakeven, `manage`), then — for an idle lane on its grid — the strategy, the gates and the entry.
 */
export function laneStages(strategy: Strategy, config: Config, options: LaneOptions = {}): LaneStage[] {
  const manage = managePositionStage(strategy, config, options);
  // A strategy without `manage` needs the position stage only for signals with a trailing stop or breakeven: it runs
  // inside the milestones' stage, so a plain signal costs no stage call per candle.
  const managed = strategy.manage === undefined ? [partialMilestonesStage(config, manage)] : [partialMilestonesStage(config), manage];
  const stages = [
    ...(options.before ?? []),
    activateScheduledStage(config, options),
    monitorSignalStage(config),
    ...(options.monitored ?? []),
    ...managed,
    askStrategyStage(strategy, config, options),
    ...(options.gates ?? []),
    enterSignalStage,
    ...(options.after ?? []),
  ];
  if (options.profiler === undefined) return stages;
  const named = (list: readonly LaneStage[] | undefined, what: string) => (list ?? []).map((s, i) => s.name || `${what} ${i + 1}`);
  const gates = named(options.gates, 'gate');
  const before = named(options.before, 'before');
  const monitored = named(options.monitored, 'monitored');
  const after = (options.after ?? []).map((a, i) => a.name || `after ${i + 1}`);
  // The strategy stage runs user code: timed per strategy. The engine's own stages are timed across lanes.
  const names = [...before, 'activateScheduled', 'monitorSignal', ...monitored, 'partialMilestones', ...(strategy.manage === undefined ? [] : [`managePosition ${strategy.name}`]), `askStrategy ${strategy.name}`, ...gates, 'enterSignal', ...after];
  return profileStages(stages, names, options.profiler);
}
