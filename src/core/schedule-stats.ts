import type { SignalEvent } from './events.js';
import { safe } from './stats.js';

/** How resting limit orders fared (SEMANTICS §9). */
export interface ScheduleStatistics {
  readonly totalScheduled: number;
  readonly totalActivated: number;
  readonly totalCancelled: number;
  readonly cancellationRate: number | null;
  readonly activationRate: number | null;
  readonly avgActivationMinutes: number | null;
  readonly avgCancelMinutes: number | null;
}

/** Streaming accumulator of schedule statistics. */
export class ScheduleAccumulator {
  private scheduled = 0;
  private activated = 0;
  private cancelled = 0;
  private activationMinutes = 0;
  private cancelMinutes = 0;

  add(event: SignalEvent): void {
    switch (event.action) {
      case 'scheduled':
        this.scheduled++;
        break;
      case 'opened':
        // A market entry opens at the instant it was proposed; only a resting order opens later.
        if (event.signal.pendingAt !== null && event.signal.pendingAt > event.signal.scheduledAt) {
          this.activated++;
          this.activationMinutes += (event.signal.pendingAt - event.signal.scheduledAt) / 60_000;
        }
        break;
      case 'cancelled':
        this.cancelled++;
        this.cancelMinutes += (event.closeTimestamp - event.signal.scheduledAt) / 60_000;
        break;
      default:
        break;
    }
  }

  result(): ScheduleStatistics {
    const n = this.scheduled;
    return {
      totalScheduled: n,
      totalActivated: this.activated,
      totalCancelled: this.cancelled,
      cancellationRate: n === 0 ? null : safe((this.cancelled / n) * 100),
      activationRate: n === 0 ? null : safe((this.activated / n) * 100),
      avgActivationMinutes: this.activated === 0 ? null : this.activationMinutes / this.activated,
      avgCancelMinutes: this.cancelled === 0 ? null : this.cancelMinutes / this.cancelled,
    };
  }
}

export function computeScheduleStatistics(events: Iterable<SignalEvent>): ScheduleStatistics {
  const acc = new ScheduleAccumulator();
  for (const e of events) acc.add(e);
  return acc.result();
}
