// The public API: what users compose — sources, operators, pipelines, sinks, statistics, schemas and types.
// The engine's internals (bar and lane books, the stage runner, lifecycle step functions, event builders) are in
// the experimental `tickflow/engine` entry (src/engine.ts).

// Candles, intervals, config and the trading rules (SEMANTICS)
export {
  intervalMs,
  MINUTE_MS,
  IntervalSchema,
  StrategyIntervalSchema,
  type Interval,
  type StrategyInterval,
} from './core/intervals.js';
export {
  isOnGrid,
  isValidCandle,
  checkCandle,
  CandleSchema,
  SymbolCandleSchema,
  CandleError,
  type Candle,
  type SymbolCandle,
  type CandleOrigin,
} from './core/candle.js';
export {
  resolveConfig,
  roundTripCostPercent,
  ConfigSchema,
  ConfigError,
  type Config,
  type ConfigInput,
} from './core/config.js';
export { computePnl, type Pnl } from './core/pnl.js';
export { vwap } from './core/vwap.js';
export {
  PositionSchema,
  MAX_NOTE_LENGTH,
  MAX_SIGNAL_ID_LENGTH,
  SignalSchema,
  SignalDtoSchema,
  type Position,
  type Signal,
  type SignalDto,
  type EntryKind,
  type Proposal,
  type ProposalContext,
} from './core/signal.js';
export {
  CloseReasonSchema,
  CancelReasonSchema,
  SignalEventSchema,
  type CloseReason,
  type CancelReason,
  type SignalEvent,
  type EventAction,
  type EventOf,
  type ClosedEvent,
  type CancelledEvent,
} from './core/events.js';
export { type Moment, type ScheduledOutcome, type CloseOutcome } from './core/lifecycle.js';
export { breakevenPrice, breakevenTriggerPrice } from './core/breakeven.js';
export { liquidationPrice } from './core/liquidation.js';
export { effectiveStop, effectiveTake, type StopCause } from './core/effective-stop.js';
export { TrailingStopSchema, BreakevenSchema, LeverageSchema, type TrailingStop, type Breakeven } from './core/signal.js';
export { LevelCauseSchema, type LevelCause } from './core/events.js';
export { TradePartSchema, tradePnl, type TradePart } from './core/trade-parts.js';
export { ManagedPositionSchema, type ManagedPosition } from './core/managed-position.js';
export { ManageActionSchema, type ManageAction, type ManageResult } from './core/manage-actions.js';
export { type Bar, type PartialLevels, type LaneState, type Lane, type LaneStep } from './core/lane.js';
export {
  defineStrategy,
  StrategySchema,
  StrategyError,
  type Mode,
  type StrategyContext,
  type ManageContext,
  type PositionView,
  type SignalResult,
  type Strategy,
} from './core/strategy.js';
export { computeStatistics, StatisticsAccumulator, type BacktestStatistics } from './core/stats.js';
export { computeScheduleStatistics, ScheduleAccumulator, type ScheduleStatistics } from './core/schedule-stats.js';
export {
  defineRisk,
  RiskProfileSchema,
  RiskError,
  type ActivePosition,
  type RiskPayload,
  type RiskValidationFn,
  type RiskValidation,
  type RiskProfile,
} from './core/risk.js';
export {
  createRiskBook,
  RiskBook,
  type BookedProfile,
  type PositionHolder,
  type RiskSubject,
} from './core/risk-book.js';
export {
  computePartialStatistics,
  PartialAccumulator,
  type PartialLevelCount,
  type PartialStatistics,
} from './core/partial-stats.js';
export {
  applySizingConstraints,
  positionSize,
  fixedPercentageSize,
  kellySize,
  atrSize,
  FixedPercentageSizingSchema,
  KellySizingSchema,
  AtrSizingSchema,
  SizingSchema,
  SizingAccountSchema,
  SizingError,
  type Sizing,
  type SizingMethod,
  type SizingConstraints,
  type SizingAccount,
} from './core/sizing.js';
export {
  metricValue,
  rankStrategies,
  WalkerMetricSchema,
  DEFAULT_WALKER_METRIC,
  type WalkerMetric,
  type StrategyStatistics,
  type RankedStrategy,
  type WalkerRanking,
} from './core/walker-rank.js';
export { computeHeat, HeatAccumulator, type HeatRow, type HeatStatistics } from './core/heat.js';
export { type SampleSummary } from './core/sample-stats.js';

// Sources: Observables of closed candles
export { type Pull, type AnyIterable } from './sources/pull.js';
export { FlowGate, FlowGateSchema, type GateView } from './core/flow-gate.js';
export { CandleSource, type CandleConsumer } from './sources/candle-source.js';
export { normalizeCandles, type CandleInput, type NormalizeOptions } from './sources/normalize.js';
export { mergeByTime, type SymbolPull } from './sources/merge.js';
export { replayCandles, type ReplayOptions } from './sources/replay.js';
export {
  candleFiles,
  candleFile,
  CandleFileSpecSchema,
  CandleFilesOptionsSchema,
  type CandleFileSpec,
  type CandleFilesOptions,
  type CandleFileOptions,
} from './sources/files.js';
export {
  syntheticSymbols,
  syntheticCandles,
  SyntheticOptionsSchema,
  type SyntheticOptions,
} from './sources/synthetic.js';

// Operators: one job per lane stage, and statistics over events
export { transition, runStages, type Resume, type LaneStage } from './engine/stage.js';
export { type RestoredLane, type LaneBookOptions } from './engine/lane-book.js';
export { type AveragePriceOptions } from './engine/bar-book.js';
export { averagePrice } from './operators/average-price.js';
export { openLane, type OpenLaneOptions } from './operators/open-lane.js';
export {
  activateScheduled,
  type ActivationCheck,
  type ActivateScheduledOptions,
} from './operators/activate-scheduled.js';
export { monitorSignal, type MonitorConfig } from './operators/monitor-signal.js';
export { partialMilestones } from './operators/partial-milestones.js';
export { managePosition, type ManagePositionConfig } from './operators/manage-position.js';
export { askStrategy, type AskStrategyOptions, type AskStrategyConfig } from './operators/ask-strategy.js';
export { enterSignal } from './operators/enter-signal.js';
export { laneEvents } from './operators/lane-events.js';
export { type IndependentLanes, type LaneOptions } from './engine/lane-stages.js';
export { type LaneOutput } from './engine/lane-set.js';
export { runLanes, runLane } from './operators/run-lane.js';
export { statistics, scheduleStatistics } from './operators/statistics.js';
export { checkpoint } from './operators/checkpoint.js';
export { type PendingVerdict, type Verdict } from './operators/verdict.js';
export { type RiskRequest, type RiskTiming } from './operators/risk-check.js';
export { riskGate, withRisk, type RiskGateOptions, type RiskStrategies } from './operators/risk-gate.js';
export { reduceEvents } from './operators/reduce-events.js';
export { partialStatistics } from './operators/partial-statistics.js';
export { heatStatistics } from './operators/heat-statistics.js';
export {
  sizePositions,
  SizePositionsOptionsSchema,
  type OpenedEvent,
  type SizePositionsOptions,
} from './operators/size-positions.js';
export {
  walk,
  WalkOptionsSchema,
  type WalkerProgress,
  type WalkerResult,
  type WalkerEvent,
  type WalkOptions,
} from './operators/walk.js';
export {
  PerformanceRecorder,
  type StageProfiler,
  type StageTiming,
  type PerformanceReport,
  type PerformanceRecorderOptions,
} from './operators/profiler.js';

// Pipelines: the common jobs composed
export { backtest, type BacktestOptions } from './pipelines/backtest.js';
export { walker, type WalkerOptions } from './pipelines/walker.js';
export { heat, type HeatOptions } from './pipelines/heat.js';
export { riskLanes, type RiskLaneSettings } from './pipelines/risk-lanes.js';

// Sinks: reports and files
export { writeJsonLines } from './sinks/json-lines.js';
export { summarizeEvents, summarize, type BacktestSummary } from './sinks/reports/summary.js';
export { markdownReport } from './sinks/reports/markdown.js';
export { jsonReport } from './sinks/reports/json.js';
export { writeBacktestReports, type BacktestReportExtras } from './sinks/reports/write.js';
export { buildTearsheet, type Tearsheet, type TearsheetInput } from './sinks/reports/tearsheet.js';
export { tearsheetMarkdown, tearsheetJson } from './sinks/reports/tearsheet-markdown.js';
export { TradeLog } from './sinks/reports/trade-log.js';
export { partialMarkdownReport, partialJsonReport } from './sinks/reports/partial.js';
export { heatMarkdownReport, heatJsonReport } from './sinks/reports/heat.js';
export { walkerMarkdownReport, walkerJsonReport } from './sinks/reports/walker.js';
export { writeWalkerReports } from './sinks/reports/write-walker.js';
export { equityCurve, drawdownCurve } from './sinks/reports/equity.js';
export { htmlReport, type HtmlReportOptions } from './sinks/reports/html.js';
export { walkerHtmlReport, type WalkerHtmlOptions } from './sinks/reports/walker-html.js';
export { scheduleMarkdownReport, scheduleJsonReport } from './sinks/reports/schedule.js';
export { performanceMarkdownReport, performanceJsonReport } from './sinks/reports/performance.js';

// Store contracts (the LMDB store itself is in tickflow/lmdb)
export {
  type QuarantineReport,
  type CheckpointInput,
  type CheckpointEntry,
  type LaneProgress,
  type StoredCheckpoint,
  type CheckpointStore,
  type CandleCache,
} from './store/types.js';

// Money (SEMANTICS §12): the account, its equity curve and portfolio statistics.
export {
  MoneyConfigSchema,
  StakeSchema,
  FixedStakeSchema,
  EquityPercentStakeSchema,
  MoneyConfigError,
  resolveMoneyConfig,
  type MoneyConfig,
  type MoneyConfigInput,
  type Stake,
  type StakeInput,
} from './core/money-config.js';
export { stakeAmount, type StakeContext } from './core/stake.js';
export {
  INSUFFICIENT_BALANCE,
  newAccount,
  openStake,
  closeStake,
  positionWorth,
  equityOf,
  markPercent,
  type AccountState,
  type OpenStake,
  type OpenRequest,
  type OpenResult,
  type CloseResult,
  type SignalRef,
} from './core/account.js';
export {
  PortfolioStatsAccumulator,
  PortfolioStatsSnapshotSchema,
  type PortfolioStatistics,
  type PortfolioStatsSnapshot,
  type PortfolioTotals,
} from './core/portfolio-stats.js';
export {
  EquityTracker,
  EquitySnapshotSchema,
  accountOver,
  type AccountInput,
  type AccountOutput,
  type EquityOptions,
  type EquitySnapshot,
} from './core/equity.js';
export { interleaveByInstant, interleaveAsRun } from './core/interleave.js';
export {
  AccountCollector,
  accountReport,
  type AccountReport,
  type AccountReportOptions,
  type EquityPoint,
} from './core/account-report.js';
export { accountActivation, accountEntry, accountMark, accountSettle } from './operators/account-gate.js';
export { accountEquity, AccountEquityOptionsSchema, type AccountEquityOptions } from './operators/account-equity.js';

// Research (RESEARCH.md): parameter spaces, samplers, overfitting statistics.
export { normalCdf, normalInverseCdf, normalPdf } from './research/normal.js';
export { returnMoments, trialSharpeRatios, sampleVariance, ReturnMomentsSchema, ReturnSeriesSchema, type ReturnMoments } from './research/moments.js';
export { probabilisticSharpeRatio, psrFromMoments, PsrResultSchema, SharpeMomentsSchema, type PsrResult, type SharpeMoments } from './research/psr.js';
export { deflatedSharpeRatio, dsrFromMoments, expectedMaxSharpe, DsrOptionsSchema, DsrResultSchema, type DsrOptions, type DsrResult } from './research/dsr.js';
export { cscv, CscvOptionsSchema, CscvResultSchema, LogitHistogramSchema, ReturnMatrixSchema, type CscvOptions, type CscvResult, type LogitHistogram } from './research/cscv.js';
export { periodReturns, PeriodReturnsSchema, ReturnMatrixOptionsSchema, type PeriodReturns, type ReturnMatrixOptions } from './research/return-matrix.js';
export { percentileOfSorted } from './research/percentile.js';
export {
  monteCarloTradeOrder,
  maxDrawdown,
  longestLosingStreak,
  MonteCarloOptionsSchema,
  MonteCarloResultSchema,
  PercentilesSchema,
  DistributionHistogramSchema,
  type DistributionHistogram,
  type MonteCarloOptions,
  type MonteCarloResult,
  type Percentiles,
} from './research/monte-carlo.js';
export {
  randomEntrySignificance,
  tradeShapes,
  RandomEntryOptionsSchema,
  RandomEntryResultSchema,
  TradeShapeSchema,
  type RandomEntryOptions,
  type RandomEntryResult,
  type TradeShape,
} from './research/random-entry.js';
export {
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
} from './research/param-space.js';
export { gridCandidates, gridValues, randomCandidates, drawValue, RandomSamplerOptionsSchema, type RandomSamplerOptions } from './research/samplers.js';
export { tpeCandidates, TpeOptionsSchema, type TpeOptions, type TpeObservation } from './research/tpe.js';
export { overfittingReport, OverfittingInputSchema, OverfittingReportSchema, type OverfittingInput, type OverfittingReport } from './research/overfitting-report.js';
export { objectiveNeighbourhood, NeighbourhoodSchema, type Neighbourhood } from './research/neighbourhood.js';
export { walkForwardFolds, FoldShapeSchema, FoldOptionsSchema, FoldPlanSchema, FoldSchema, TimeWindowSchema, type FoldOptions, type FoldPlan, type Fold, type TimeWindow } from './research/folds.js';
export { parameterStability, walkForwardEfficiency, ParameterStabilitySchema, WalkForwardEfficiencySchema, type ParameterStability, type WalkForwardEfficiency } from './research/stability.js';
export { withParams, paramsOf } from './core/strategy.js';
export { parseTimeRange, formatTimeRange, sourceUntil, TimeRangeSchema, TimeRangeError, type TimeRange, type TimeRangeInput } from './pipelines/timerange.js';
export { optimize, evaluateCandidates, rankTrials, OptimizeOptionsSchema, SamplerSchema, type OptimizeOptions, type OptimizeResult, type Trial, type Sampler } from './pipelines/optimize.js';
export { walkForward, foldSeed, WalkForwardOptionsSchema, type WalkForwardOptions, type WalkForwardResult, type WalkForwardFold, type WalkForwardOverfitting } from './pipelines/walk-forward.js';
export { parseRequirement, meetsRequirement, formatRequirement, RequirementSchema, STATISTIC_NAMES, type Requirement } from './research/requirements.js';
export { optimizeJsonReport } from './sinks/reports/optimize-json.js';
export { walkForwardJsonReport } from './sinks/reports/walk-forward-json.js';
export { optimizeHtmlReport, type OptimizeHtmlOptions } from './sinks/reports/optimize-html.js';
export { walkForwardHtmlReport, type WalkForwardHtmlOptions } from './sinks/reports/walk-forward-html.js';

// Streaming indicators (issue #17): declared on a strategy, read through ctx.indicators.
export { sma, ema, wma, rsi, roc, bollinger, macd, atr, cci, adx, donchian, stochastic, IndicatorSpecSchema } from './indicators/spec.js';
export type { IndicatorSpec, IndicatorInput, IndicatorOptions, IndicatorKind } from './indicators/spec.js';
export type { IndicatorValue, IndicatorObject } from './indicators/catalog.js';
export type { IndicatorValues } from './indicators/reader.js';
export { IndicatorSpecError, type IndicatorDeclaration } from './indicators/declare.js';
export { indicatorWarmup, type IndicatorWarmup } from './indicators/warmup.js';

// Generated strategies (RESEARCH §6): acorn, lmdb, ollama and openai load only when these run.
export { generateStrategies, statisticsText, DSR_PASS, type GenerateEvent, type GenerateResult, type CandidateRecord, type CandidateWalkForward, type StudyOverfitting } from './generate/study.js';
export { GenerateOptionsSchema, type GenerateOptions } from './generate/study-options.js';
export { writeGenerateOutput, generateJson } from './generate/generate-output.js';
export { generateHtmlReport } from './generate/generate-html.js';
export { llmClient, LlmOptionsSchema, LlmError, DEFAULT_MODEL, DEFAULT_OLLAMA_HOST, type LlmOptions, type LlmClient, type ChatMessage, type Sampling } from './generate/llm-client.js';
export { ResponseCache, requestKey, OfflineMissError, type CachedResponse } from './generate/response-cache.js';
export { checkGeneratedCode, sourceHash, ALLOWED_IMPORTS, type CodeCheck } from './generate/allow-list.js';
export { extractModule } from './generate/extract.js';
export { loadSandboxedStrategy, SandboxRejection, SandboxOptionsSchema, type SandboxOptions, type SandboxedStrategy, type RejectionKind } from './generate/sandboxed-strategy.js';
export { screenResponse, type Screened, type ScreenOptions } from './generate/screen.js';
export { buildPrompt, PromptTemplatesSchema, type PromptTemplates } from './generate/prompts.js';
export { STRATEGY_CONTRACT, STRATEGY_EXAMPLE, DEFAULT_SYSTEM_TEMPLATE, DEFAULT_USER_TEMPLATE, DEFAULT_REFINE_TEMPLATE, renderTemplate } from './generate/prompt-templates.js';
export { summarizeWindow, windowCandles, SummaryOptionsSchema, type SummaryOptions } from './generate/data-summary.js';
