import type { PerformanceReport } from '../../operators/profiler.js';
import { markdownTable } from './markdown-table.js';

const micro = (ms: number | null) => (ms === null ? '—' : (ms * 1000).toFixed(3));

/**
 * A markdown performance report: per lane stage, calls, total time and its share, and per call (µs) mean, min,
 * p50/p95/p99, max and standard deviation. These are wall-clock measurements: they vary between runs.
 *
 * @example
 * ```ts
 * const profiler = new PerformanceRecorder();
 * await lastValueFrom(backtest({ source, strategies, profiler }));
 * await writeFile('performance.md', performanceMarkdownReport(profiler.report()));
 * ```
 */
export function performanceMarkdownReport(report: PerformanceReport, title = 'Performance report'): string {
  const parts = [`# ${title}`, ''];
  if (report.stages.length === 0) {
    parts.push('No stage was timed (profiling was off, or no candle reached a lane).', '');
    return parts.join('\n');
  }
  const total = report.stages.reduce((sum, s) => sum + s.total, 0);
  const calls = report.stages.reduce((sum, s) => sum + s.count, 0);
  const sampled = report.stages.some((s) => !s.exactPercentiles);
  parts.push(
    'Time per call of each lane stage, measured with `performance.now()`: wall-clock measurements, which vary ' +
      'between runs and machines, and include the clock reads themselves.',
    sampled
      ? `Percentiles of stages called more than ${report.reservoirSize} times are estimated from a uniform sample of ${report.reservoirSize} calls.`
      : 'Percentiles are exact (every call was kept).',
    '',
    markdownTable(
      ['Stage', 'Calls', 'Total ms', 'Share', 'Mean µs', 'Min µs', 'p50 µs', 'p95 µs', 'p99 µs', 'Max µs', 'Std dev µs'],
      [
        ...report.stages.map((s) => [
          s.stage,
          s.count,
          s.total.toFixed(3),
          total > 0 ? `${((s.total / total) * 100).toFixed(1)}%` : '—',
          micro(s.mean),
          micro(s.min),
          micro(s.p50),
          micro(s.p95),
          micro(s.p99),
          micro(s.max),
          micro(s.stdDev),
        ]),
        ['All stages', calls, total.toFixed(3), '100.0%', '', '', '', '', '', '', ''],
      ],
    ),
    '',
  );
  return parts.join('\n');
}

/**
 * The JSON performance report: `{ unit: 'ms', reservoirSize, stages: [{ stage, count, total, mean, min, max,
 * stdDev, p50, p95, p99, exactPercentiles }] }`, times in milliseconds per call.
 *
 * @example
 * ```ts
 * await writeFile('performance.json', performanceJsonReport(profiler.report()));
 * ```
 */
export function performanceJsonReport(report: PerformanceReport): string {
  return `${JSON.stringify({ unit: 'ms', reservoirSize: report.reservoirSize, stages: report.stages }, null, 2)}\n`;
}
