import type { SchedulerLike } from 'rxjs';
import type { Config } from '../core/config.js';
import type { RiskProfile } from '../core/risk.js';
import { createRiskBook } from '../core/risk-book.js';
import type { Strategy } from '../core/strategy.js';
import { withRisk } from '../operators/risk-gate.js';
import type { LaneOptions } from '../operators/run-lane.js';
import type { CheckpointStore } from '../store/types.js';

export interface RiskLaneSettings {
  /** The run's risk profiles (none: only strategies naming a profile make a book, and then fail as unknown). */
  readonly risk?: RiskProfile | readonly RiskProfile[];
  readonly strategies: readonly Strategy[];
  readonly config: Config;
  readonly scheduler?: SchedulerLike;
  /** The run's checkpoint store: open positions restored from it count from the first candle, for every symbol. */
  readonly store?: Pick<CheckpointStore, 'checkpoints'>;
}

/**
 * A pipeline's lane options with a fresh risk book wired in (call it once per run, e.g. inside `defer`): the gate,
 * the activation check and the restored positions. Unchanged when no profile is given and no strategy names one;
 * a strategy naming a profile that is not given is an error, so a forgotten profile never silently allows everything.
 *
 * @example
 * ```ts
 * const lanes = riskLanes({ after: [checkpointStage(store)] }, { risk: portfolio, strategies, config, store });
 * bars$.pipe(runLanes(strategies, config, lanes));
 * ```
 */
export function riskLanes<O extends LaneOptions>(lanes: O, settings: RiskLaneSettings): O {
  const { strategies, config, store } = settings;
  const risk = settings.risk === undefined ? [] : Array.isArray(settings.risk) ? settings.risk : [settings.risk as RiskProfile];
  if (risk.length === 0 && strategies.every((s) => s.risk === undefined)) return lanes;
  const book = createRiskBook(risk);
  const withGate = withRisk(lanes, book, strategies, config, { scheduler: settings.scheduler });
  const names = new Set(strategies.map((s) => s.name));
  const stored = (store?.checkpoints() ?? []).filter((c) => names.has(c.strategy));
  book.seed(stored.map(({ strategy, symbol, checkpoint }) => ({ strategy, symbol, state: checkpoint.state })));
  return withGate;
}
