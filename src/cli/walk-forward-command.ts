import { isoTime } from '../core/time.js';
import { walkForward, type WalkForwardResult } from '../pipelines/walk-forward.js';
import { walkForwardJsonReport } from '../sinks/reports/walk-forward-json.js';
import { walkForwardHtmlReport } from '../sinks/reports/walk-forward-html.js';
import { EXIT } from './exit-codes.js';
import { TrialProgress } from './trial-progress.js';
import { checkOutputPaths } from './outputs.js';
import { paramUserError } from './research-flags.js';
import { loadStudy, searchOptions, studyWorkers, writeReportFile } from './study-setup.js';
import { parseWalkForwardFlags, WALK_FORWARD_USAGE } from './walk-forward-args.js';

const fmt = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '—' : Number(x.toFixed(digits)).toString());
const day = (ms: number) => isoTime(ms).slice(0, 16).replace('T', ' ');

function printWalkForward(out: NodeJS.WritableStream, wf: WalkForwardResult): void {
  out.write(`Walk-forward ${wf.strategy}: ${wf.folds.length} folds, ${wf.overfitting.trials} trials in all\n`);
  for (const f of wf.folds) {
    out.write(
      `  fold ${f.index}: test ${day(f.test.from)} … ${day(f.test.to)}  ${f.name ?? '(no feasible candidate)'}  train ${fmt(f.trainObjective)}  test ${fmt(f.testObjective)}  (${f.testStatistics?.totalSignals ?? 0} signals)\n`,
    );
  }
  const s = wf.outOfSample.statistics;
  out.write(`out of sample: ${s.totalSignals} signals, total PnL ${fmt(s.totalPnl)} %, sharpe ${fmt(s.sharpeRatio)}; efficiency ${fmt(wf.efficiency.efficiency)}${wf.efficiency.reason ? ` (${wf.efficiency.reason})` : ''}\n`);
  const o = wf.overfitting;
  out.write(`overfitting: DSR ${fmt(o.dsr?.dsr)} (N = ${o.trials}); PSR ${fmt(o.psr?.psr)}; mean train PBO ${fmt(o.pbo.mean)}; random-entry p ${fmt(o.randomEntry?.pValue)}\n`);
  if (wf.holdout !== null) out.write(`holdout ${day(wf.holdout.window.from)} … ${day(wf.holdout.window.to)}: ${wf.holdout.statistics?.totalSignals ?? 0} signals, total PnL ${fmt(wf.holdout.statistics?.totalPnl)} %\n`);
}

/** `tickflow walk-forward …`: returns the exit code. */
export async function walkForwardCommand(argv: readonly string[]): Promise<number> {
  const flags = parseWalkForwardFlags(argv);
  if (flags.help) {
    process.stdout.write(`${WALK_FORWARD_USAGE}\n`);
    return EXIT.ok;
  }
  await checkOutputPaths({ report: flags.report });
  const { source, strategy, config } = await loadStudy(flags);
  const pool = await studyWorkers(flags.workers, { strategyPath: flags.strategy!, config, source });
  const progress = TrialProgress.for(process.stderr);
  let wf: WalkForwardResult;
  try {
    wf = await walkForward({
      source,
      strategy,
      config,
      ...searchOptions(flags, pool.evaluate, progress),
      train: flags.train!,
      test: flags.test!,
      step: flags.step,
      anchored: flags.anchored,
      purge: flags.purge,
      holdout: flags.holdout,
    });
  } catch (err) {
    throw paramUserError(err);
  } finally {
    progress?.done();
    await pool.close();
  }
  printWalkForward(process.stdout, wf);
  if (flags.report !== undefined) {
    const json = await writeReportFile(flags.report, 'walk-forward.json', walkForwardJsonReport(wf));
    const html = await writeReportFile(flags.report, 'walk-forward.html', walkForwardHtmlReport(wf));
    process.stdout.write(`Report: ${json}, ${html}\n`);
  }
  return EXIT.ok;
}
