import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PerformanceReport } from '../../operators/profiler.js';
import { htmlReport, type HtmlReportOptions } from './html.js';
import { jsonReport } from './json.js';
import { markdownReport } from './markdown.js';
import { performanceJsonReport, performanceMarkdownReport } from './performance.js';
import { scheduleJsonReport, scheduleMarkdownReport } from './schedule.js';
import type { BacktestSummary } from './summary.js';

export interface BacktestReportExtras {
  /** Stage timings (`PerformanceRecorder.report()`): adds `performance.md` and `performance.json`. */
  readonly performance?: PerformanceReport;
  readonly html?: HtmlReportOptions;
  /** More files to write beside them, file name → content (e.g. a partial-milestones report). */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * Writes the backtest reports into `dir` (created if missing): `backtest.md`, `backtest.json`, `backtest.html`,
 * `schedule.md`, `schedule.json`, then `performance.md` / `performance.json` when timings are given, then `files`.
 * Returns the paths written, in that order.
 *
 * @example
 * ```ts
 * await writeBacktestReports('reports', summary, { performance: profiler.report() });
 * ```
 */
export async function writeBacktestReports(dir: string, summary: BacktestSummary, extras: BacktestReportExtras = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['backtest.md', markdownReport(summary)],
    ['backtest.json', jsonReport(summary)],
    ['backtest.html', htmlReport(summary, extras.html)],
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
