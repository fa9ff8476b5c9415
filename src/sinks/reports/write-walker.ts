import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WalkerRanking } from '../../core/walker-rank.js';
import { walkerJsonReport, walkerMarkdownReport } from './walker.js';

/**
 * Writes `walker.md` and `walker.json` into `dir` (created if missing); returns the paths written.
 *
 * @example
 * ```ts
 * await writeWalkerReports('reports', result); // ['reports/walker.md', 'reports/walker.json']
 * ```
 */
export async function writeWalkerReports(dir: string, ranking: WalkerRanking): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const md = join(dir, 'walker.md');
  const json = join(dir, 'walker.json');
  await writeFile(md, walkerMarkdownReport(ranking));
  await writeFile(json, walkerJsonReport(ranking));
  return [md, json];
}
