// Research API (RESEARCH.md §1, §3, §5): parameter spaces, samplers, overfitting statistics.
export { normalCdf, normalInverseCdf, normalPdf } from './normal.js';
export { returnMoments, trialSharpeRatios, sampleVariance, ReturnMomentsSchema, ReturnSeriesSchema, type ReturnMoments } from './moments.js';
export { probabilisticSharpeRatio, psrFromMoments, PsrResultSchema, SharpeMomentsSchema, type PsrResult, type SharpeMoments } from './psr.js';
export { deflatedSharpeRatio, dsrFromMoments, expectedMaxSharpe, DsrOptionsSchema, DsrResultSchema, type DsrOptions, type DsrResult } from './dsr.js';
export { cscv, CscvOptionsSchema, CscvResultSchema, LogitHistogramSchema, ReturnMatrixSchema, type CscvOptions, type CscvResult, type LogitHistogram } from './cscv.js';
export { periodReturns, PeriodReturnsSchema, ReturnMatrixOptionsSchema, type PeriodReturns, type ReturnMatrixOptions } from './return-matrix.js';
export { percentileOfSorted } from './percentile.js';
export {
  monteCarloTradeOrder,
  maxDrawdown,
  longestLosingStreak,
  MonteCarloOptionsSchema,
  MonteCarloResultSchema,
  PercentilesSchema,
  type MonteCarloOptions,
  type MonteCarloResult,
  type Percentiles,
} from './monte-carlo.js';
export {
  randomEntrySignificance,
  tradeShapes,
  RandomEntryOptionsSchema,
  RandomEntryResultSchema,
  TradeShapeSchema,
  type RandomEntryOptions,
  type RandomEntryResult,
  type TradeShape,
} from './random-entry.js';
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
} from './param-space.js';
export { gridCandidates, gridValues, randomCandidates, drawValue, RandomSamplerOptionsSchema, type RandomSamplerOptions } from './samplers.js';
export { tpeCandidates, TpeOptionsSchema, type TpeOptions, type TpeObservation } from './tpe.js';
export { overfittingReport, OverfittingInputSchema, OverfittingReportSchema, type OverfittingInput, type OverfittingReport } from './overfitting-report.js';
export { objectiveNeighbourhood, NeighbourhoodSchema, type Neighbourhood } from './neighbourhood.js';
export { walkForwardFolds, FoldOptionsSchema, FoldPlanSchema, FoldSchema, TimeWindowSchema, type FoldOptions, type FoldPlan, type Fold, type TimeWindow } from './folds.js';
export { parameterStability, walkForwardEfficiency, ParameterStabilitySchema, WalkForwardEfficiencySchema, type ParameterStability, type WalkForwardEfficiency } from './stability.js';
