import type { OptimizeResult, Trial } from '../../pipelines/optimize.js';
import { formatTimeRange } from '../../pipelines/timerange.js';

function trialJson(t: Trial) {
  return { id: t.id, name: t.name, params: t.params, statistics: t.statistics, objective: t.objective, feasible: t.feasible, errors: t.errors };
}

/**
 * `optimize.json` (RESEARCH §3, §5): the study's settings, every trial in trial order (the registry), the ranking,
 * the best, the neighbourhood of the best, the registry's per-period returns and the overfitting statistics. Same
 * study → same bytes.
 */
export function optimizeJsonReport(study: OptimizeResult): string {
  const report = {
    study: {
      strategy: study.strategy,
      sampler: study.sampler,
      budget: study.budget,
      seed: study.seed,
      objective: study.objective,
      timerange: study.timerange === null ? null : { ...study.timerange, text: formatTimeRange(study.timerange) },
      requirements: study.requirements,
      span: study.span,
    },
    trials: study.trials.map(trialJson),
    ranking: study.ranking,
    best: study.best === null ? null : trialJson(study.best),
    neighbourhood: study.neighbourhood,
    overfitting: study.overfitting,
    overfittingReason: study.overfittingReason,
    returns: study.returns,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
