import { lastValueFrom, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import type { SignalEvent } from '../core/events.js';
import type { Strategy } from '../core/strategy.js';
import { backtest } from '../pipelines/backtest.js';
import { PerformanceRecorder } from '../operators/profiler.js';
import { writeJsonLines } from '../sinks/json-lines.js';
import { statisticsLines } from '../sinks/reports/markdown.js';
import { summarize, type BacktestSummary } from '../sinks/reports/summary.js';
import { writeBacktestReports } from '../sinks/reports/write.js';
import { TradeLog } from '../sinks/reports/trade-log.js';
import { partialJsonReport, partialMarkdownReport } from '../sinks/reports/partial.js';
import { heatJsonReport, heatMarkdownReport } from '../sinks/reports/heat.js';
import { PartialAccumulator } from '../core/partial-stats.js';
import { HeatAccumulator } from '../core/heat.js';
import type { CandleSource } from '../sources/candle-source.js';
import { FlowGate } from '../core/flow-gate.js';
import type { Config } from '../core/config.js';
import type { RiskProfile } from '../core/risk.js';
import { parseBacktestFlags, BACKTEST_USAGE, type BacktestFlags } from './args.js';
import { readConfigFile } from './config-file.js';
import { withMoneyFlags } from './money-flags.js';
import { AccountCollector, type AccountReport } from '../core/account-report.js';
import { accountLines } from './account-lines.js';
import { DEMO_MINUTES, DEMO_SYMBOLS, demoSource, demoStrategies } from './demo.js';
import { loadStrategies } from './load-module.js';
import { kafkaSink } from './kafka-sink.js';
import { loadRisk } from './load-risk.js';
import { ProgressBar, type ProgressMeasure } from './progress.js';
import { runSource } from './data-source.js';
import { UserError } from './user-error.js';
import { EXIT } from './exit-codes.js';
import { checkOutputPaths, discardOnFailure, openOutputs } from './outputs.js';
import type { Writable } from 'node:stream';
import { reportRunErrors } from './run-errors.js';
import { StrategyErrorTrace } from './strategy-errors.js';
import { applyParamFlags } from './research-flags.js';

function printSummary(out: NodeJS.WritableStream, summary: BacktestSummary, account: AccountReport, title: string, trace: StrategyErrorTrace): void {
  const lines = statisticsLines(summary.statistics);
  const money = accountLines(account);
  const width = Math.max(...lines.map(([k]) => k.length), ...money.map(([k]) => k.length));
  out.write(`${title}\n`);
  out.write(`Account\n`);
  for (const [k, v] of money) out.write(`  ${k.padEnd(width)}  ${v}\n`);
  out.write(`Per-trade statistics (% of each trade's stake)\n`);
  for (const [k, v] of lines) out.write(`  ${k.padEnd(width)}  ${v}\n`);
  const counts = Object.entries(summary.counts)
    .filter(([a]) => a !== 'progress' && a !== 'done')
    .map(([a, n]) => `${a} ${n}`);
  out.write(`  ${'Events'.padEnd(width)}  ${counts.join(', ') || 'none'}\n`);
  const errors = summary.counts.error ?? 0;
  if (errors > 0) {
    out.write(`  ${'Errors'.padEnd(width)}  ${errors}\n`);
    out.write(`  first error: ${summary.errors[0]}\n`);
    const at = trace.location();
    if (at !== null) out.write(`    at ${at}\n`);
  }
}

interface BacktestRun {
  readonly summary: BacktestSummary;
  /** The run's account: statistics and a bounded equity curve (what the reports draw). */
  readonly account: AccountReport;
  /** Collected only when reports are asked for. */
  readonly reports: { readonly partials: PartialAccumulator; readonly bySymbol: HeatAccumulator; readonly profiler: PerformanceRecorder; readonly trades: TradeLog } | null;
}

/** The run itself: the pipeline with its sinks (Kafka, progress bar, events file, report collectors), to completion. */
async function runBacktest(
  flags: BacktestFlags,
  run: { source: CandleSource; strategies: Strategy[]; config: Config; risk: RiskProfile[]; total: ProgressMeasure | null },
  events: Writable | undefined,
): Promise<BacktestRun> {
  const bar = ProgressBar.for(process.stderr, flags.progress, run.total);
  // Stage timings only for the reports: without --report the stages run unwrapped.
  const reports = flags.report !== undefined ? { partials: new PartialAccumulator(), bySymbol: new HeatAccumulator(), profiler: new PerformanceRecorder(), trades: new TradeLog() } : null;
  // Shared with the Kafka sink, so the replay waits while the sink's buffer is full.
  const gate = flags.kafka ? new FlowGate() : undefined;
  const { source, strategies, config, risk } = run;
  const account = new AccountCollector(config);
  let events$: Observable<SignalEvent> = backtest({
    source,
    strategies,
    config,
    risk,
    timerange: flags.timerange,
    progressEvery: bar ? 2_000 : undefined,
    profiler: reports?.profiler,
    gate,
    onAccount: account.see,
    accountEveryMs: account.bucketMs,
  });
  // Before the file: it then holds what Kafka acknowledged (and the sink's own error events).
  if (flags.kafka) events$ = events$.pipe(await kafkaSink(flags.kafka, { gate, log: (line) => process.stderr.write(`tickflow backtest: ${line}\n`) }));
  if (bar) events$ = events$.pipe(tap((e) => (e.action === 'progress' ? bar.update(e.processed, e.now) : undefined)));
  if (events !== undefined) events$ = events$.pipe(writeJsonLines(events));
  if (reports !== null) {
    events$ = events$.pipe(
      tap((e) => {
        reports.partials.add(e);
        reports.bySymbol.add(e);
        reports.trades.add(e);
      }),
    );
  }
  try {
    const summary = await lastValueFrom(events$.pipe(summarize()));
    return { summary, account: account.result(), reports };
  } finally {
    bar?.done();
  }
}

/** `tickflow backtest …`: returns the exit code. */
export async function backtestCommand(argv: readonly string[]): Promise<number> {
  const flags = parseBacktestFlags(argv);
  if (flags.help) {
    process.stdout.write(`${BACKTEST_USAGE}\n`);
    return EXIT.ok;
  }
  await checkOutputPaths(flags);
  const config = withMoneyFlags(await readConfigFile(flags.config), flags);
  const trace = new StrategyErrorTrace();
  const load = (path: string) => loadStrategies(path, trace);
  let source: CandleSource;
  let strategies: Strategy[];
  let total: ProgressMeasure | null = null;
  if (flags.demo) {
    source = demoSource();
    strategies = flags.strategy.length > 0 ? (await Promise.all(flags.strategy.map(load))).flat() : demoStrategies;
    total = { kind: 'count', total: DEMO_MINUTES * DEMO_SYMBOLS.length };
  } else {
    strategies = (await Promise.all(flags.strategy.map(load))).flat();
    ({ source, progress: total } = await runSource(flags));
  }
  strategies = applyParamFlags(strategies, flags.param);
  const twice = strategies.find((s, i) => strategies.findIndex((t) => t.name === s.name) !== i);
  if (twice !== undefined) throw new UserError(`two strategies are named '${twice.name}': give each --strategy a strategy of its own name`);
  const risk = await loadRisk(flags.risk, strategies);
  const outputs = await openOutputs(flags);
  // A run that fails, or whose reports cannot be written, leaves no half-written output behind.
  const summary = await discardOnFailure(outputs, async () => {
    const { summary, account, reports } = await runBacktest(flags, { source, strategies, config, risk, total }, outputs.events);
    const out = flags.events === '-' ? process.stderr : process.stdout;
    const names = strategies.map((s) => s.name).join(', ');
    printSummary(out, summary, account, `Backtest of ${names}${flags.demo ? ' on the synthetic demo data' : ''}`, trace);
    if (flags.report !== undefined && reports !== null) {
      const partialStats = reports.partials.result();
      const heatStats = reports.bySymbol.result();
      const written = await writeBacktestReports(flags.report, summary, {
        performance: reports.profiler.report(),
        tearsheet: reports.trades.tearsheet(source, config, flags, strategies),
        files: {
          'partial.md': partialMarkdownReport(partialStats),
          'partial.json': partialJsonReport(partialStats),
          'heat.md': heatMarkdownReport(heatStats),
          'heat.json': heatJsonReport(heatStats),
        },
      });
      out.write(`Reports: ${written.join(', ')}\n`);
    }
    return summary;
  });
  return reportRunErrors(summary.counts.error ?? 0, flags.allowErrors);
}
