import type { LaneStep } from './lane.js';

/**
 * Keeps the steps of one chain in order across operators. While a step waits in an async stage (a strategy thinking),
 * every later step of the same lanes waits too, in whichever stage it has reached: otherwise a candle that arrived
 * meanwhile would pass activation and take-profit / stop-loss checks before the signal it should be checked against
 * was entered (SEMANTICS §4). One barrier per lane book, referenced by each of its lanes; the fused `runLanes`
 * queues in one runner anyway.
 */
export class StepBarrier {
  private readonly holders = new Map<LaneStep, number>();
  private waiters: Array<() => void> = [];

  /** Whether any step is waiting: the only check on the hot path when none is. */
  get held(): boolean {
    return this.holders.size > 0;
  }

  /** Whether `step` must wait: another step of the chain is waiting in a stage. */
  blocks(step: LaneStep): boolean {
    return this.holders.size > 0 && !this.holders.has(step);
  }

  hold(step: LaneStep): void {
    this.holders.set(step, (this.holders.get(step) ?? 0) + 1);
  }

  release(step: LaneStep): void {
    const n = this.holders.get(step) ?? 0;
    if (n === 0) return;
    if (n > 1) this.holders.set(step, n - 1);
    else this.holders.delete(step);
    if (this.holders.size === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  whenReleased(waiter: () => void): void {
    this.waiters.push(waiter);
  }
}
