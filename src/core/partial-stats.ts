import type { SignalEvent } from './events.js';

/** How often one milestone level was crossed, toward take-profit and toward stop-loss. */
export interface PartialLevelCount {
  readonly level: number;
  /** `partial_profit` events at this level. */
  readonly profit: number;
  /** `partial_loss` events at this level. */
  readonly loss: number;
}

/** Partial milestone statistics (SEMANTICS §6): counts per level and direction. */
export interface PartialStatistics {
  /** All `partial_profit` events. */
  readonly totalProfit: number;
  /** All `partial_loss` events. */
  readonly totalLoss: number;
  /** One row per level that was crossed at least once, ascending. */
  readonly levels: readonly PartialLevelCount[];
}

/**
 * Streaming accumulator of {@link PartialStatistics}; memory is one counter pair per distinct level.
 *
 * @example
 * ```ts
 * const acc = new PartialAccumulator();
 * for (const e of events) acc.add(e);
 * acc.result().levels; // [{ level: 10, profit: 4, loss: 2 }, …]
 * ```
 */
export class PartialAccumulator {
  private readonly counts = new Map<number, { profit: number; loss: number }>();
  private profit = 0;
  private loss = 0;

  add(event: SignalEvent): void {
    if (event.action !== 'partial_profit' && event.action !== 'partial_loss') return;
    let row = this.counts.get(event.level);
    if (row === undefined) {
      row = { profit: 0, loss: 0 };
      this.counts.set(event.level, row);
    }
    if (event.action === 'partial_profit') {
      row.profit++;
      this.profit++;
    } else {
      row.loss++;
      this.loss++;
    }
  }

  result(): PartialStatistics {
    const levels = [...this.counts]
      .sort(([a], [b]) => a - b)
      .map(([level, { profit, loss }]) => ({ level, profit, loss }));
    return { totalProfit: this.profit, totalLoss: this.loss, levels };
  }
}

/**
 * Partial milestone statistics of a finished run's events.
 *
 * @example
 * ```ts
 * computePartialStatistics(events); // { totalProfit: 12, totalLoss: 5, levels: [{ level: 10, profit: 4, loss: 2 }, …] }
 * ```
 */
export function computePartialStatistics(events: Iterable<SignalEvent>): PartialStatistics {
  const acc = new PartialAccumulator();
  for (const e of events) acc.add(e);
  return acc.result();
}
