import { formatTimeRange } from '../../pipelines/timerange.js';
import type { WalkForwardResult } from '../../pipelines/walk-forward.js';

/**
 * `walk-forward.json` (RESEARCH §4, §5). Each fold names its windows `train` and `test` ({from, to}) and the chosen
 * candidate's statistics on them `trainStatistics` and `testStatistics` (one key per meaning, so a window is never
 * confused with a result). Same study → same bytes.
 */
export function walkForwardJsonReport(wf: WalkForwardResult): string {
  return `${JSON.stringify(
    {
      study: { strategy: wf.strategy, ...wf.settings, timerange: wf.timerange === null ? null : { ...wf.timerange, text: formatTimeRange(wf.timerange) }, span: wf.span },
      folds: wf.folds,
      outOfSample: wf.outOfSample,
      efficiency: wf.efficiency,
      stability: wf.stability,
      holdout: wf.holdout,
      overfitting: wf.overfitting,
    },
    null,
    2,
  )}\n`;
}
