import type { ClosedEvent } from '../../core/events.js';
import type { Point } from './downsample.js';

/** When a closed signal was opened: its activation, or its scheduling for a signal that never had one. */
export function openedAt(event: ClosedEvent): number {
  return event.signal.pendingAt ?? event.signal.scheduledAt;
}

/**
 * The equity curve of closed signals: cumulative pnl % (summed in close order, like the statistics, so the last
 * point is exactly `totalPnl`) against close time. It starts at 0 at `start` (default: when the first signal
 * opened). No trades, no points.
 *
 * @example
 * ```ts
 * const curve = equityCurve(summary.closed, summary.from ?? undefined);
 * curve.at(-1)?.y === summary.statistics.totalPnl; // true
 * ```
 */
export function equityCurve(closed: readonly ClosedEvent[], start?: number): Point[] {
  if (closed.length === 0) return [];
  const points: Point[] = [{ x: Math.min(start ?? openedAt(closed[0]!), closed[0]!.closeTimestamp), y: 0 }];
  let cumulative = 0;
  for (const e of closed) {
    cumulative += e.pnl.pnlPercentage;
    points.push({ x: e.closeTimestamp, y: cumulative });
  }
  return points;
}

/**
 * The drawdown under an equity curve: at each point, how far (≤ 0, in % points) it stands below the highest value
 * reached so far, counting the starting 0 as a peak. Its minimum is −maxDrawdown of the statistics (SEMANTICS §9).
 *
 * @example
 * ```ts
 * drawdownCurve([{ x: 0, y: 0 }, { x: 1, y: 5 }, { x: 2, y: 2 }]); // y: 0, 0, −3
 * ```
 */
export function drawdownCurve(equity: readonly Point[]): Point[] {
  let peak = 0;
  return equity.map(({ x, y }) => {
    if (y > peak) peak = y;
    return { x, y: y - peak };
  });
}
