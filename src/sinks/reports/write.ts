import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonReport } from './json.js';
import { markdownReport } from './markdown.js';
import type { BacktestSummary } from './summary.js';

/** Writes `backtest.md` and `backtest.json` into `dir` (created if missing); returns the paths written. */
export async function writeBacktestReports(dir: string, summary: BacktestSummary): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const md = join(dir, 'backtest.md');
  const json = join(dir, 'backtest.json');
  await writeFile(md, markdownReport(summary));
  await writeFile(json, jsonReport(summary));
  return [md, json];
}
