import { IDLE_STATE, NO_EVENTS, type Bar, type Lane, type LaneState, type LaneStep } from '../core/lane.js';
import { StepBarrier } from '../core/step-barrier.js';

/** A lane restored from a checkpoint. */
export interface RestoredLane {
  readonly state: LaneState;
  readonly lastTimestamp: number;
}

export interface LaneBookOptions {
  /** The strategy's name: with the symbol, the lane's key. */
  readonly strategy: string;
  /** State to resume a lane from (a checkpoint); a fresh lane starts idle. */
  readonly restore?: (symbol: string) => RestoredLane | undefined;
  /** Each lane keeps its own steps in order, not the whole book's (lanes that wait only for their own strategy). */
  readonly barrierPerLane?: boolean;
}

/** A step the book may fill again for the lane's next bar (see {@link LaneBook.recycle}). */
type ReusableStep = { -readonly [K in keyof LaneStep]: LaneStep[K] };

interface Entry {
  readonly lane: Lane;
  lastBar: Bar;
  /** The lane's last step, once nothing holds it any more. */
  spare: ReusableStep | null;
}

/** The lanes of one strategy, one per symbol, created on the first candle of each symbol. */
export class LaneBook {
  private readonly lanes = new Map<string, Entry>();
  /** Keeps this book's steps in order across the operators of a composed chain. */
  private readonly barrier = new StepBarrier();
  private last: Entry | null = null;

  constructor(private readonly options: LaneBookOptions) {}

  /** The step for this bar, or null when the lane already processed this candle (a replay after restore). */
  step(bar: Bar): LaneStep | null {
    let entry = this.last !== null && this.last.lane.symbol === bar.symbol ? this.last : this.lanes.get(bar.symbol);
    let created = false;
    if (entry === undefined) {
      const restored = this.options.restore?.(bar.symbol);
      const lane: Lane = {
        symbol: bar.symbol,
        strategy: this.options.strategy,
        state: restored?.state ?? IDLE_STATE,
        lastTimestamp: restored?.lastTimestamp ?? -Infinity,
        barrier: this.options.barrierPerLane ? new StepBarrier() : this.barrier,
      };
      entry = { lane, lastBar: bar, spare: null };
      this.lanes.set(bar.symbol, entry);
      created = true;
    }
    this.last = entry;
    const { lane } = entry;
    if (bar.candle.timestamp <= lane.lastTimestamp) {
      // A copy: a lane that skips every candle settles (closeAtEnd) on its first bar, and the bar's owner may refill
      // that object for later candles (see BarBook.recycle).
      if (created) entry.lastBar = { ...bar };
      return null;
    }
    lane.lastTimestamp = bar.candle.timestamp;
    entry.lastBar = bar;
    const spare = entry.spare;
    if (spare === null) return { bar, lane, proposal: null, transitioned: false, final: false, events: NO_EVENTS };
    entry.spare = null;
    spare.bar = bar;
    spare.proposal = null;
    spare.transitioned = false;
    spare.events = NO_EVENTS;
    return spare;
  }

  /**
   * The step went through every stage and nothing holds it (no stage is waiting, none is queued): the lane's next
   * step may be the same object, so a synchronous run allocates no step per candle. Stages must not keep a step
   * once they returned (a stage that needs to wait returns a `Resume`, and then the step is not recycled).
   */
  recycle(step: LaneStep): void {
    const entry = this.last;
    if (entry !== null && entry.lane === step.lane) entry.spare = step as ReusableStep;
  }

  /**
   * End-of-data steps for lanes that still hold a signal, in symbol order (deterministic). `includeIdle` gives one for
   * every lane: in a composed chain a step still queued behind an async strategy may yet open a signal, and the
   * stages decide when the final step reaches them (they do nothing for an idle lane).
   */
  finalSteps(includeIdle = false): LaneStep[] {
    return [...this.lanes.values()]
      .filter(({ lane }) => includeIdle || lane.state.signal !== null)
      .sort((a, b) => (a.lane.symbol < b.lane.symbol ? -1 : a.lane.symbol > b.lane.symbol ? 1 : 0))
      .map(({ lane, lastBar }) => ({ bar: lastBar, lane, proposal: null, transitioned: false, final: true, events: NO_EVENTS }));
  }

  /** Drops the symbol's lane (its next bar restores it afresh); the lane dropped, if there was one. */
  forget(symbol: string): Lane | undefined {
    const entry = this.lanes.get(symbol);
    if (entry === undefined) return undefined;
    this.lanes.delete(symbol);
    if (this.last === entry) this.last = null;
    return entry.lane;
  }

  all(): Lane[] {
    return [...this.lanes.values()].map((e) => e.lane);
  }
}
