import { formatPercent } from '../../core/format.js';
import type { ScheduleStatistics } from '../../core/schedule-stats.js';
import { markdownTable } from './markdown-table.js';

const minutes = (m: number | null) => (m === null ? '—' : `${m.toFixed(1)} min`);

/**
 * A markdown report of the scheduled (limit) signals (SEMANTICS §9): how many were scheduled, activated and
 * cancelled, the rates, and the average waits.
 *
 * @example
 * ```ts
 * await writeFile('schedule.md', scheduleMarkdownReport(summary.schedule));
 * ```
 */
export function scheduleMarkdownReport(schedule: ScheduleStatistics, title = 'Scheduled signals'): string {
  const parts = [`# ${title}`, ''];
  if (schedule.totalScheduled === 0) parts.push('No signal was scheduled (every entry was at market).', '');
  parts.push(
    markdownTable(
      ['Metric', 'Value'],
      [
        ['Scheduled', schedule.totalScheduled],
        ['Activated', schedule.totalActivated],
        ['Cancelled', schedule.totalCancelled],
        ['Activation rate', formatPercent(schedule.activationRate, 2)],
        ['Cancellation rate', formatPercent(schedule.cancellationRate, 2)],
        ['Average wait to activation', minutes(schedule.avgActivationMinutes)],
        ['Average wait to cancellation', minutes(schedule.avgCancelMinutes)],
      ],
    ),
    '',
  );
  return parts.join('\n');
}

/**
 * The JSON schedule report: the statistics with the field names of SEMANTICS §9 (`totalScheduled`,
 * `totalActivated`, `totalCancelled`, `cancellationRate`, `activationRate`, `avgActivationMinutes`,
 * `avgCancelMinutes`).
 *
 * @example
 * ```ts
 * await writeFile('schedule.json', scheduleJsonReport(summary.schedule));
 * ```
 */
export function scheduleJsonReport(schedule: ScheduleStatistics): string {
  return `${JSON.stringify(schedule, null, 2)}\n`;
}
