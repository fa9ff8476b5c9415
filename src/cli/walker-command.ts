import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom, tap, toArray, type MonoTypeOperatorFunction } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import type { Strategy } from '../core/strategy.js';
import { formatPercent } from '../core/format.js';
import type { WalkerResult } from '../operators/walk.js';
import { walker } from '../pipelines/walker.js';
import { writeJsonLines } from '../sinks/json-lines.js';
import { formatMetric, walkerHeadline } from '../sinks/reports/walker.js';
import { writeWalkerReports } from '../sinks/reports/write-walker.js';
import { walkerHtmlReport } from '../sinks/reports/walker-html.js';
import { SummaryCollector } from '../sinks/reports/summary.js';
import { runSource } from './data-source.js';
import { readConfigFile } from './config-file.js';
import { withMoneyFlags } from './money-flags.js';
import { loadStrategies } from './load-module.js';
import { ProgressBar } from './progress.js';
import { UserError } from './user-error.js';
import { parseWalkerFlags, WALKER_USAGE } from './walker-args.js';
import { EXIT } from './exit-codes.js';
import { checkOutputPaths, discardOnFailure, openOutputs } from './outputs.js';
import { reportRunErrors } from './run-errors.js';
import { StrategyErrorTrace } from './strategy-errors.js';

/** Each module's strategies, in the order given; a name used twice is a user mistake (lanes are keyed by it). */
async function loadAll(paths: readonly string[], trace: StrategyErrorTrace): Promise<Strategy[]> {
  const seen = new Map<string, string>();
  const all: Strategy[] = [];
  for (const path of paths) {
    for (const s of await loadStrategies(path, trace)) {
      const other = seen.get(s.name);
      if (other !== undefined) throw new UserError(`two strategies are named '${s.name}' (${other} and ${path}): the walker needs unique names`);
      seen.set(s.name, path);
      all.push(s);
    }
  }
  return all;
}

function printRanking(out: NodeJS.WritableStream, result: WalkerResult, symbols: readonly string[]): void {
  out.write(`Walker over ${symbols.join(', ')}: ${result.strategies.length} strategies ranked by ${result.metric}\n`);
  const rows = [
    ['#', 'Strategy', result.metric, 'Signals', 'Win rate', 'Total PnL', 'Max drawdown'],
    ...result.strategies.map((r) => [
      String(r.rank),
      r.strategy,
      formatMetric(result.metric, r.value),
      String(r.statistics.totalSignals),
      formatPercent(r.statistics.winRate, 2),
      formatPercent(r.statistics.totalPnl),
      formatPercent(r.statistics.maxDrawdown),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) out.write(`  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()}\n`);
  out.write(`${walkerHeadline(result)}\n`);
}

/** `tickflow walker …`: returns the exit code. */
export async function walkerCommand(argv: readonly string[]): Promise<number> {
  const flags = parseWalkerFlags(argv);
  if (flags.help) {
    process.stdout.write(`${WALKER_USAGE}\n`);
    return EXIT.ok;
  }
  await checkOutputPaths(flags);
  const config = withMoneyFlags(await readConfigFile(flags.config), flags);
  const trace = new StrategyErrorTrace();
  const strategies = await loadAll(flags.strategy, trace);
  const { source, progress } = await runSource(flags);
  const outputs = await openOutputs(flags);
  const bar = ProgressBar.for(process.stderr, flags.progress, progress);
  const sinks: MonoTypeOperatorFunction<SignalEvent>[] = [];
  if (bar) sinks.push(tap((e) => (e.action === 'progress' ? bar.update(e.processed, e.now) : undefined)));
  if (outputs.events !== undefined) sinks.push(writeJsonLines(outputs.events));
  // The HTML report draws each strategy's equity curve: it needs the closed signals, collected only when asked for.
  const collector = flags.report !== undefined ? new SummaryCollector() : null;
  if (collector) sinks.push(tap((e) => collector.add(e)));
  let errors = 0;
  let firstError: string | undefined;
  sinks.push(
    tap((e) => {
      if (e.action !== 'error') return;
      errors++;
      firstError ??= e.message;
    }),
  );
  // A run that fails, or whose reports cannot be written, leaves no half-written output behind.
  await discardOnFailure(outputs, async () => {
    let result: WalkerResult | undefined;
    try {
      const emitted = await lastValueFrom(
        walker({
          source,
          strategies,
          metric: flags.metric,
          timerange: flags.timerange,
          config,
          progressEvery: bar ? 2_000 : undefined,
          events: (events$) => sinks.reduce((e$, sink) => e$.pipe(sink), events$),
        }).pipe(toArray()),
      );
      result = emitted.find((e): e is WalkerResult => e.type === 'result');
    } finally {
      bar?.done();
    }
    if (result === undefined) throw new Error('the walker completed without a result');
    const out = flags.events === '-' ? process.stderr : process.stdout;
    printRanking(out, result, flags.symbol);
    if (errors > 0) {
      out.write(`  Errors: ${errors}; first error: ${firstError}\n`);
      const at = trace.location();
      if (at !== null) out.write(`    at ${at}\n`);
    }
    if (flags.report !== undefined) {
      const written = await writeWalkerReports(flags.report, result);
      const summary = collector!.result();
      const html = join(flags.report, 'walker.html');
      await writeFile(html, walkerHtmlReport(result, summary.closed, { from: summary.from ?? undefined, to: summary.to ?? undefined }));
      written.push(html);
      out.write(`Reports: ${written.join(', ')}\n`);
    }
  });
  return reportRunErrors(errors, flags.allowErrors);
}
