// `tickflow/engine` — EXPERIMENTAL: the lane engine's building blocks for writing your own stages and drivers.
// Not covered by semver: names and shapes here may change in any release. Everything users compose is in `tickflow`.

export { INTERVAL_MS } from './core/intervals.js';
export { candleFromRow, MAX_TIMESTAMP, GRID_MS } from './core/candle.js';
export { CandleHistory } from './core/history.js';
export { openedSignal, signalId, proposeSignal } from './core/signal.js';
export {
  eventId,
  signalKey,
  signalEvent,
  closedEvent,
  cancelledEvent,
  partialEvent,
  riskEvent,
  errorEvent,
} from './core/events.js';
export {
  scheduleDeadline,
  stepScheduled,
  stepScheduledAt,
  signalExpiry,
  stepOpen,
  stepOpenAt,
  profitProgress,
  lossProgress,
  milestoneProgress,
  newLevels,
  nextLevelReached,
  reachesNextLevel,
} from './core/lifecycle.js';
export { laneState, addEvent, laneStatus, NO_PARTIALS, IDLE_STATE, NO_EVENTS } from './core/lane.js';
export { safe } from './core/stats.js';
export { formatPrice, formatQuantity, formatPercent, formatNumber } from './core/format.js';
export { isoTime } from './core/time.js';
export { isPromise, pullFrom } from './sources/pull.js';
export { isFlowGate, eitherGate } from './core/flow-gate.js';
export { isCandleSource } from './sources/candle-source.js';
export { StageRunner } from './engine/stage.js';
export { LaneBook } from './engine/lane-book.js';
export { BarBook } from './engine/bar-book.js';
export { activateScheduledStage } from './operators/activate-scheduled.js';
export { monitorSignalStage } from './operators/monitor-signal.js';
export { partialMilestonesStage } from './operators/partial-milestones.js';
export { askStrategyStage } from './operators/ask-strategy.js';
export { enterSignalStage } from './operators/enter-signal.js';
export { laneStages } from './engine/lane-stages.js';
export { checkLaneKeys, LaneSet } from './engine/lane-set.js';
export { liveLanes, LIVE_MAX_QUEUED } from './operators/run-lane.js';
export { SummaryCollector } from './sinks/reports/summary.js';
export { statisticsLines } from './sinks/reports/markdown.js';
export { StepBarrier } from './core/step-barrier.js';
export { checkpointStage, restoreFrom, redeliver } from './operators/checkpoint.js';
export { settleVerdict } from './operators/verdict.js';
export { checkRisk } from './operators/risk-check.js';
export { riskGateStage, riskActivationCheck } from './operators/risk-gate.js';
export { isMinimised, isBetter } from './core/walker-rank.js';
export { compareHeatRows } from './core/heat.js';
export { markdownTable } from './sinks/reports/markdown-table.js';
export { formatMetric, walkerHeadline } from './sinks/reports/walker.js';
export { quantile, SampleAccumulator } from './core/sample-stats.js';
export { profileStages } from './operators/profiler.js';
export { openedAt } from './sinks/reports/equity.js';
