import type { LaneStep } from '../core/lane.js';

/**
 * Where a live node's stop request falls in its candles. Independent lanes may still be working through candles
 * read before the request (queued behind a thinking strategy): those steps ask their strategy as an uninterrupted
 * node would, so their candles are never checkpointed as processed without the ask they were due. Only candles read
 * after the request are run without asking (a drain opens nothing new).
 */
export class StopCutoff {
  private readonly lastRead = new Map<string, number>();
  private cutoff: ReadonlyMap<string, number> | null = null;

  /** A candle of `symbol` went to the lanes. */
  read(symbol: string, timestamp: number): void {
    this.lastRead.set(symbol, timestamp);
  }

  /** The stop was asked for: candles read so far are the last to be asked about. */
  freeze(): void {
    if (this.cutoff === null) this.cutoff = new Map(this.lastRead);
  }

  /** `runLanes({ paused })`: whether this step's candle came after the stop request. */
  readonly paused = (step: LaneStep): boolean => {
    const cutoff = this.cutoff;
    if (cutoff === null) return false;
    const last = cutoff.get(step.lane.symbol);
    return last === undefined || step.bar.candle.timestamp > last;
  };
}
