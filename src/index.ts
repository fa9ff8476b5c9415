// Public API: re-exports only.
export * from './core/intervals.js';
export * from './core/candle.js';
export * from './core/config.js';
export * from './core/pnl.js';
export * from './core/vwap.js';
export * from './core/history.js';
export * from './core/signal.js';
export * from './core/events.js';
export * from './core/lifecycle.js';
export * from './core/lane.js';
export * from './core/strategy.js';
export * from './core/stats.js';
export * from './core/format.js';
export * from './core/time.js';

export * from './sources/pull.js';
export * from './sources/flow-gate.js';
export * from './sources/candle-source.js';
export * from './sources/normalize.js';
export * from './sources/merge.js';
export * from './sources/replay.js';

export * from './operators/stage.js';
export * from './operators/lane-book.js';
export * from './operators/bar-book.js';
export * from './operators/average-price.js';
export * from './operators/open-lane.js';
export * from './operators/activate-scheduled.js';
export * from './operators/monitor-signal.js';
export * from './operators/partial-milestones.js';
export * from './operators/ask-strategy.js';
export * from './operators/enter-signal.js';
export * from './operators/lane-events.js';
export * from './operators/lane-stages.js';
export * from './operators/lane-set.js';
export * from './operators/run-lane.js';

export * from './pipelines/backtest.js';
export * from './sources/files.js';
export * from './sources/synthetic.js';

export * from './core/schedule-stats.js';
export * from './operators/statistics.js';
export * from './sinks/json-lines.js';
export * from './sinks/reports/summary.js';
export * from './sinks/reports/markdown.js';
export * from './sinks/reports/json.js';
export * from './sinks/reports/write.js';
export * from './core/step-barrier.js';
export * from './operators/checkpoint.js';
export * from './store/types.js';
export * from './core/risk.js';
export * from './core/risk-book.js';
export * from './operators/verdict.js';
export * from './operators/risk-check.js';
export * from './operators/risk-gate.js';
export * from './core/partial-stats.js';
export * from './core/sizing.js';
export * from './core/walker-rank.js';
export * from './core/heat.js';
export * from './operators/reduce-events.js';
export * from './operators/partial-statistics.js';
export * from './operators/heat-statistics.js';
export * from './operators/size-positions.js';
export * from './operators/walk.js';
export * from './pipelines/walker.js';
export * from './pipelines/heat.js';
export * from './sinks/reports/markdown-table.js';
export * from './sinks/reports/partial.js';
export * from './sinks/reports/heat.js';
export * from './sinks/reports/walker.js';
export * from './sinks/reports/write-walker.js';
export * from './pipelines/risk-lanes.js';
export * from './core/sample-stats.js';
export * from './operators/profiler.js';
export * from './sinks/reports/equity.js';
export * from './sinks/reports/html.js';
export * from './sinks/reports/walker-html.js';
export * from './sinks/reports/schedule.js';
export * from './sinks/reports/performance.js';

// Research (RESEARCH.md): parameter spaces, samplers, overfitting statistics.
export {
  normalCdf,
  normalInverseCdf,
  normalPdf,
  returnMoments,
  trialSharpeRatios,
  sampleVariance,
  ReturnMomentsSchema,
  ReturnSeriesSchema,
  type ReturnMoments,
  probabilisticSharpeRatio,
  psrFromMoments,
  PsrResultSchema,
  SharpeMomentsSchema,
  type PsrResult,
  type SharpeMoments,
  deflatedSharpeRatio,
  dsrFromMoments,
  expectedMaxSharpe,
  DsrOptionsSchema,
  DsrResultSchema,
  type DsrOptions,
  type DsrResult,
  cscv,
  CscvOptionsSchema,
  CscvResultSchema,
  LogitHistogramSchema,
  ReturnMatrixSchema,
  type CscvOptions,
  type CscvResult,
  type LogitHistogram,
  periodReturns,
  PeriodReturnsSchema,
  ReturnMatrixOptionsSchema,
  type PeriodReturns,
  type ReturnMatrixOptions,
  percentileOfSorted,
  monteCarloTradeOrder,
  maxDrawdown,
  longestLosingStreak,
  MonteCarloOptionsSchema,
  MonteCarloResultSchema,
  PercentilesSchema,
  type MonteCarloOptions,
  type MonteCarloResult,
  type Percentiles,
  randomEntrySignificance,
  tradeShapes,
  RandomEntryOptionsSchema,
  RandomEntryResultSchema,
  TradeShapeSchema,
  type RandomEntryOptions,
  type RandomEntryResult,
  type TradeShape,
  validateParamSpace,
  valueProblem,
  defaultParams,
  parseParamAssignments,
  candidateName,
  satisfiesConstraint,
  latticeValue,
  ParamSpaceError,
  ParamSpaceSchema,
  ParamSpecSchema,
  IntParamSchema,
  FloatParamSchema,
  ChoiceParamSchema,
  ChoiceValueSchema,
  type ParamSpace,
  type ParamSpec,
  type IntParam,
  type FloatParam,
  type ChoiceParam,
  type ParamValue,
  type ParamAssignment,
  type Parameterised,
  gridCandidates,
  gridValues,
  randomCandidates,
  drawValue,
  RandomSamplerOptionsSchema,
  type RandomSamplerOptions,
  tpeCandidates,
  TpeOptionsSchema,
  type TpeOptions,
  type TpeObservation,
  overfittingReport,
  OverfittingInputSchema,
  OverfittingReportSchema,
  type OverfittingInput,
  type OverfittingReport,
  objectiveNeighbourhood,
  NeighbourhoodSchema,
  type Neighbourhood,
  walkForwardFolds,
  FoldOptionsSchema,
  FoldPlanSchema,
  FoldSchema,
  TimeWindowSchema,
  type FoldOptions,
  type FoldPlan,
  type Fold,
  type TimeWindow,
  parameterStability,
  walkForwardEfficiency,
  ParameterStabilitySchema,
  WalkForwardEfficiencySchema,
  type ParameterStability,
  type WalkForwardEfficiency,
} from './research/index.js';
