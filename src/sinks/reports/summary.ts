import type { OperatorFunction } from 'rxjs';
import { reduceEvents } from '../../operators/reduce-events.js';
import type { ClosedEvent, EventAction, SignalEvent } from '../../core/events.js';
import { ScheduleAccumulator, type ScheduleStatistics } from '../../core/schedule-stats.js';
import { StatisticsAccumulator, type BacktestStatistics } from '../../core/stats.js';

/** Everything a backtest report shows, collected in one pass over the events. */
export interface BacktestSummary {
  readonly statistics: BacktestStatistics;
  readonly schedule: ScheduleStatistics;
  /** Per strategy, in the order strategies first produced an event. */
  readonly byStrategy: Readonly<Record<string, BacktestStatistics>>;
  /** Signal and error events by action (run events, `progress` and `done`, are not counted). */
  readonly counts: Readonly<Partial<Record<EventAction, number>>>;
  /** One row per closed signal, in close order. */
  readonly closed: readonly ClosedEvent[];
  /** The first error messages (all are counted in `counts.error`). */
  readonly errors: readonly string[];
  readonly from: number | null;
  readonly to: number | null;
}

const MAX_ERRORS = 50;

/** Collects a {@link BacktestSummary}; memory grows with trades, not with candles. */
export class SummaryCollector {
  private readonly all = new StatisticsAccumulator();
  private readonly schedule = new ScheduleAccumulator();
  private readonly perStrategy = new Map<string, StatisticsAccumulator>();
  private readonly counts: Partial<Record<EventAction, number>> = {};
  private readonly closed: ClosedEvent[] = [];
  private readonly errors: string[] = [];
  private from: number | null = null;
  private to: number | null = null;

  add(event: SignalEvent): void {
    // Run events are not counted: progress events come only when someone watches (a terminal), and a report must
    // read the same wherever the same run was made.
    if (event.action === 'progress' || event.action === 'done') return;
    this.counts[event.action] = (this.counts[event.action] ?? 0) + 1;
    if (this.from === null) this.from = event.now;
    this.to = event.now;
    this.all.add(event);
    this.schedule.add(event);
    let acc = this.perStrategy.get(event.strategy);
    if (acc === undefined) {
      acc = new StatisticsAccumulator();
      this.perStrategy.set(event.strategy, acc);
    }
    acc.add(event);
    if (event.action === 'closed') this.closed.push(event);
    else if (event.action === 'error' && this.errors.length < MAX_ERRORS) this.errors.push(event.message);
  }

  result(): BacktestSummary {
    return {
      statistics: this.all.result(),
      schedule: this.schedule.result(),
      byStrategy: Object.fromEntries([...this.perStrategy].map(([name, acc]) => [name, acc.result()])),
      counts: { ...this.counts },
      closed: [...this.closed],
      errors: [...this.errors],
      from: this.from,
      to: this.to,
    };
  }
}

export function summarizeEvents(events: Iterable<SignalEvent>): BacktestSummary {
  const c = new SummaryCollector();
  for (const e of events) c.add(e);
  return c.result();
}

/**
 * The summary of the events, emitted once when they complete.
 *
 * @example
 * ```ts
 * backtest({ source, strategies }).pipe(summarize()).subscribe((s) => console.log(markdownReport(s)));
 * ```
 */
export function summarize(): OperatorFunction<SignalEvent, BacktestSummary> {
  return reduceEvents(
    () => new SummaryCollector(),
    (c) => c.result(),
  );
}
