import type { PartialStatistics } from '../../core/partial-stats.js';
import { markdownTable } from './markdown-table.js';

/**
 * A markdown report of partial milestones: one row per level with the `partial_profit` and `partial_loss` counts.
 *
 * @example
 * ```ts
 * const stats = await lastValueFrom(backtest({ source, strategies }).pipe(partialStatistics()));
 * await writeFile('partial.md', partialMarkdownReport(stats));
 * ```
 */
export function partialMarkdownReport(stats: PartialStatistics, title = 'Partial milestones'): string {
  const parts = [`# ${title}`, ''];
  if (stats.levels.length === 0) {
    parts.push('No partial milestone was reached.', '');
    return parts.join('\n');
  }
  parts.push(
    markdownTable(
      ['Level', 'Toward take-profit', 'Toward stop-loss'],
      stats.levels.map((l) => [`${l.level}%`, l.profit, l.loss]),
    ),
    '',
    `Total: ${stats.totalProfit} partial_profit, ${stats.totalLoss} partial_loss`,
    '',
  );
  return parts.join('\n');
}

/**
 * The JSON partial-milestone report: `{ totalProfit, totalLoss, levels: [{ level, profit, loss }] }`.
 *
 * @example
 * ```ts
 * await writeFile('partial.json', partialJsonReport(stats));
 * ```
 */
export function partialJsonReport(stats: PartialStatistics): string {
  return `${JSON.stringify(stats, null, 2)}\n`;
}
