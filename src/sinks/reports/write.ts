import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PerformanceReport } from '../../operators/profiler.js';
import { htmlReport, type HtmlReportOptions } from './html.js';
import { jsonReport } from './json.js';
import { markdownReport } from './markdown.js';
import { performanceJsonReport, performanceMarkdownReport } from './performance.js';
import { scheduleJsonReport, scheduleMarkdownReport } from './schedule.js';
import type { BacktestSummary } from './summary.js';
import { buildTearsheet, type TearsheetInput } from './tearsheet.js';

export interface BacktestReportExtras {
  /** Stage timings (`PerformanceRecorder.report()`): adds `performance.md` and `performance.json`. */
  readonly performance?: PerformanceReport;
  readonly html?: HtmlReportOptions;
  /** More files to write beside them, file name → content (e.g. a partial-milestones report). */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * The account's view (SEMANTICS §12): the run's candles (read again, streamed), its events, money and costs, and
   * what the run was made of. With it, every backtest report leads with the account; see {@link buildTearsheet}.
   */
  readonly tearsheet?: TearsheetInput;
}

/**
 * Writes the backtest reports into `dir` (created if missing): `backtest.md`, `backtest.json`, `backtest.html`,
 * `schedule.md`, `schedule.json`, then `performance.md` / `performance.json` when timings are given, then `files`.
 * Returns the paths written, in that order.
 *
 * @example
 * ```ts
 * await writeBacktestReports('reports', summary, {
 *   performance: profiler.report(),
 *   tearsheet: { candles: source, events, money: { balance: 1000, stake: 100 }, inputs: { files, strategies } },
 * });
 * ```
 */
export async function writeBacktestReports(dir: string, summary: BacktestSummary, extras: BacktestReportExtras = {}): Promise<string[]> {
  const sheet = extras.tearsheet === undefined ? undefined : await buildTearsheet(extras.tearsheet);
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['backtest.md', markdownReport(summary, extras.html?.title, sheet)],
    ['backtest.json', jsonReport(summary, sheet)],
    ['backtest.html', htmlReport(summary, { ...extras.html, tearsheet: sheet })],
    ['schedule.md', scheduleMarkdownReport(summary.schedule)],
    ['schedule.json', scheduleJsonReport(summary.schedule)],
  ];
  if (extras.performance !== undefined) {
    files.push(['performance.md', performanceMarkdownReport(extras.performance)], ['performance.json', performanceJsonReport(extras.performance)]);
  }
  files.push(...Object.entries(extras.files ?? {}));
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}
