import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { lastValueFrom } from 'rxjs';
import { withParams } from '../core/strategy.js';
import { optimize, type OptimizeResult } from '../pipelines/optimize.js';
import { backtest } from '../pipelines/backtest.js';
import { formatTimeRange } from '../pipelines/timerange.js';
import { writeJsonLines } from '../sinks/json-lines.js';
import { optimizeJsonReport } from '../sinks/reports/optimize-json.js';
import { optimizeHtmlReport } from '../sinks/reports/optimize-html.js';
import { OPTIMIZE_USAGE, parseOptimizeFlags } from './optimize-args.js';
import { checkOutputPaths } from './outputs.js';
import { paramUserError } from './research-flags.js';
import { loadStudy, searchOptions, studyWorkers, paramFlags, writeReportFile } from './study-setup.js';
import { EXIT } from './exit-codes.js';
import { TrialProgress } from './trial-progress.js';
import { UserError } from './user-error.js';

const fmt = (x: number | null) => (x === null ? '—' : Number(x.toFixed(4)).toString());

function printStudy(out: NodeJS.WritableStream, study: OptimizeResult): void {
  const range = study.timerange === null ? '' : ` over ${formatTimeRange(study.timerange)}`;
  out.write(`Optimize ${study.strategy}: ${study.trials.length} trials (${study.sampler}, seed ${study.seed})${range}, objective ${study.objective.statistic} (${study.objective.direction})\n`);
  const rows = study.ranking.slice(0, 10).map((id) => study.trials[id - 1]!);
  for (const t of rows) {
    out.write(`  #${String(t.id).padEnd(4)} ${fmt(t.objective).padStart(9)}  signals ${String(t.statistics.totalSignals).padStart(4)}${t.feasible ? '' : '  (fails a requirement)'}  ${t.name}\n`);
  }
  if (study.best === null) {
    out.write(`  no best: ${study.overfittingReason}\n`);
    return;
  }
  out.write(`best: ${study.best.name} (${paramFlags(study.best.params)})\n`);
  const o = study.overfitting;
  if (o !== null) {
    const pbo = o.pbo.pbo === null ? `— (${o.pbo.reason})` : `${(o.pbo.pbo * 100).toFixed(1)} % (S = ${o.pbo.S}, N = ${o.pbo.N})`;
    const dsr = o.dsr.dsr === null ? `— (${o.dsr.reason})` : `${o.dsr.dsr.toFixed(4)} (N = ${o.dsr.N})`;
    const p = o.randomEntry?.pValue;
    out.write(`overfitting: PBO ${pbo}; DSR ${dsr}; random-entry p ${p === undefined || p === null ? '—' : p.toFixed(4)}\n`);
  }
}

/** `tickflow optimize …`: returns the exit code. */
export async function optimizeCommand(argv: readonly string[]): Promise<number> {
  const flags = parseOptimizeFlags(argv);
  if (flags.help) {
    process.stdout.write(`${OPTIMIZE_USAGE}\n`);
    return EXIT.ok;
  }
  await checkOutputPaths({ events: flags.eventsBest, report: flags.report }).catch((err: unknown) => {
    throw err instanceof UserError ? new UserError(err.message.replace(/^--events /, '--events-best ')) : err;
  });
  const { source, strategy, config } = await loadStudy(flags);
  const pool = flags.distributed
    ? await (await import('./distributed-study.js')).distributedStudy(flags, { source, config })
    : await studyWorkers(flags.workers, { strategyPath: flags.strategy!, config, source });
  const progress = TrialProgress.for(process.stderr);
  let study: OptimizeResult;
  try {
    study = await optimize({ source, strategy, config, ...searchOptions(flags, pool.evaluate, progress) });
  } catch (err) {
    throw paramUserError(err);
  } finally {
    progress?.done();
    await pool.close();
  }
  printStudy(process.stdout, study);
  if (flags.report !== undefined) {
    const json = await writeReportFile(flags.report, 'optimize.json', optimizeJsonReport(study));
    const html = await writeReportFile(flags.report, 'optimize.html', optimizeHtmlReport(study));
    process.stdout.write(`Report: ${json}, ${html}\n`);
  }
  if (flags.eventsBest !== undefined && study.best !== null) {
    // The best alone, as `backtest --param … --timerange …` runs it: the same events.
    const out = createWriteStream(flags.eventsBest);
    await lastValueFrom(backtest({ source, strategies: [withParams(strategy, study.best.params)], config, timerange: flags.timerange }).pipe(writeJsonLines(out)), { defaultValue: undefined });
    out.end();
    await finished(out);
  }
  return EXIT.ok;
}
