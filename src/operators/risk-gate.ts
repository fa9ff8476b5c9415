import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { Config } from '../core/config.js';
import { riskEvent } from '../core/events.js';
import { addEvent, type LaneStep } from '../core/lane.js';
import type { RiskBook, RiskSubject } from '../core/risk-book.js';
import type { Signal } from '../core/signal.js';
import type { ActivationCheck } from './activate-scheduled.js';
import type { LaneOptions } from './run-lane.js';
import { checkRisk } from './risk-check.js';
import { runStages, type LaneStage } from '../engine/stage.js';
import { settleVerdict } from './verdict.js';

export interface RiskGateOptions {
  /** Where the timeout of an asynchronous validation runs (a TestScheduler in marble tests). */
  readonly scheduler?: SchedulerLike;
}

/** The strategies whose lanes the gate judges: it checks the profiles they name exist (an error otherwise). */
export type RiskStrategies = RiskSubject | readonly RiskSubject[];

function judge(
  book: RiskBook,
  step: LaneStep,
  signal: Signal,
  config: Pick<Config, 'signalTimeoutMs'>,
  options: RiskGateOptions,
) {
  const { lane, bar } = step;
  book.track(lane);
  return checkRisk(
    book,
    { strategy: lane.strategy, symbol: lane.symbol, signal, now: bar.now, currentPrice: bar.price ?? bar.candle.close },
    { timeoutMs: config.signalTimeoutMs, scheduler: options.scheduler },
  );
}

/**
 * The stage behind {@link riskGate}, for `runLanes({ gates: [...] })`. Registers the strategies with the book at
 * once, so a strategy naming an unknown profile fails when the pipeline is built.
 *
 * @example
 * ```ts
 * const book = createRiskBook([defineRisk({ name: 'portfolio', maxConcurrentPositions: 2 })]);
 * bars$.pipe(runLanes(strategies, config, {
 *   gates: [riskGateStage(book, strategies, config)],
 *   activation: riskActivationCheck(book, strategies, config),
 * }));
 * ```
 */
export function riskGateStage(
  book: RiskBook,
  strategies: RiskStrategies,
  config: Pick<Config, 'signalTimeoutMs'>,
  options: RiskGateOptions = {},
): LaneStage {
  book.register(strategies);
  // Named: a profiler reports the stage under its function's name.
  const riskGate: LaneStage = (step) => {
    // A restored open position is counted from its checkpoint until its lane runs; from then on, from the lane.
    if (book.seeding) book.track(step.lane);
    const proposal = step.proposal;
    if (proposal === null) return;
    return settleVerdict(judge(book, step, proposal.signal, config, options), (reason) => {
      step.proposal = null;
      addEvent(step, riskEvent(step.lane, proposal.signal, step.bar.now, reason));
    });
  };
  return riskGate;
}

/**
 * The risk check at scheduled activation (SEMANTICS §4.1, §5), for `runLanes({ activation })` or
 * `activateScheduled(config, { activation })`: a rejection emits a `risk` event with the reason, and the activation
 * stage cancels the signal with reason `risk`.
 *
 * @example
 * ```ts
 * steps$.pipe(activateScheduled(config, { activation: riskActivationCheck(book, strategy, config) }))
 * ```
 */
export function riskActivationCheck(
  book: RiskBook,
  strategies: RiskStrategies,
  config: Pick<Config, 'signalTimeoutMs'>,
  options: RiskGateOptions = {},
): ActivationCheck {
  book.register(strategies);
  return (step, signal) => {
    const verdict = judge(book, step, signal, config, options);
    const record = (reason: string) => addEvent(step, riskEvent(step.lane, signal, step.bar.now, reason));
    if (verdict === null) return null;
    if (typeof verdict === 'string') {
      record(verdict);
      return verdict;
    }
    return {
      get reason() {
        return verdict.reason;
      },
      then(resume) {
        verdict.then(() => {
          if (verdict.reason !== null) record(verdict.reason);
          resume();
        });
      },
    };
  };
}

/**
 * The risk gate (SEMANTICS §5) as an operator for a composed lane chain: put it between `askStrategy` and
 * `enterSignal`. Each proposal is judged against the profiles its strategy is subject to, with the positions open at
 * that instant in every lane sharing the book; a rejection becomes a `risk` event (strategy, symbol, reason, the
 * proposed signal, now) and the lane stays idle. Use {@link riskActivationCheck} in `activateScheduled` for the
 * check at activation.
 *
 * @example
 * ```ts
 * const book = createRiskBook(portfolio);
 * bars$.pipe(
 *   openLane({ strategy: sma.name }),
 *   activateScheduled(config, { activation: riskActivationCheck(book, sma, config) }),
 *   monitorSignal(config), partialMilestones(config),
 *   askStrategy(sma, config), riskGate(book, sma, config), enterSignal(),
 *   laneEvents(),
 * )
 * ```
 */
export function riskGate(
  book: RiskBook,
  strategies: RiskStrategies,
  config: Pick<Config, 'signalTimeoutMs'>,
  options: RiskGateOptions = {},
): OperatorFunction<LaneStep, LaneStep> {
  return runStages(riskGateStage(book, strategies, config, options));
}

/**
 * `runLanes` options with the risk gate added: the proposal check first among the gates, the activation check,
 * and a `restore` (if any) that lets the book count restored open positions from the start.
 *
 * @example
 * ```ts
 * const book = createRiskBook(profiles);
 * bars$.pipe(runLanes(strategies, config, withRisk({ after: [checkpointStage(store)] }, book, strategies, config)));
 * ```
 */
export function withRisk<O extends LaneOptions>(
  lanes: O,
  book: RiskBook,
  strategies: RiskStrategies,
  config: Pick<Config, 'signalTimeoutMs'>,
  options: RiskGateOptions = {},
): O {
  if (lanes.activation !== undefined) throw new Error('lane options already have an activation check: the risk gate needs that slot');
  return {
    ...lanes,
    gates: [riskGateStage(book, strategies, config, options), ...(lanes.gates ?? [])],
    activation: riskActivationCheck(book, strategies, config, options),
    restore: lanes.restore && book.restoring(lanes.restore),
  };
}
