import { IDLE_STATE, type Bar, type Lane, type LaneState, type LaneStep } from '../core/lane.js';

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
}

/** The lanes of one strategy, one per symbol, created on the first candle of each symbol. */
export class LaneBook {
  private readonly lanes = new Map<string, { lane: Lane; lastBar: Bar }>();

  constructor(private readonly options: LaneBookOptions) {}

  /** The step for this bar, or null when the lane already processed this candle (a replay after restore). */
  step(bar: Bar): LaneStep | null {
    let entry = this.lanes.get(bar.symbol);
    if (entry === undefined) {
      const restored = this.options.restore?.(bar.symbol);
      const lane: Lane = {
        symbol: bar.symbol,
        strategy: this.options.strategy,
        state: restored?.state ?? IDLE_STATE,
        lastTimestamp: restored?.lastTimestamp ?? -Infinity,
      };
      entry = { lane, lastBar: bar };
      this.lanes.set(bar.symbol, entry);
    }
    const { lane } = entry;
    if (bar.candle.timestamp <= lane.lastTimestamp) return null;
    lane.lastTimestamp = bar.candle.timestamp;
    entry.lastBar = bar;
    return { bar, lane, proposal: null, transitioned: false, final: false, events: [] };
  }

  /** End-of-data steps for lanes that still hold a signal, in symbol order (deterministic). */
  finalSteps(): LaneStep[] {
    return [...this.lanes.values()]
      .filter(({ lane }) => lane.state.signal !== null)
      .sort((a, b) => (a.lane.symbol < b.lane.symbol ? -1 : a.lane.symbol > b.lane.symbol ? 1 : 0))
      .map(({ lane, lastBar }) => ({ bar: lastBar, lane, proposal: null, transitioned: false, final: true, events: [] }));
  }

  all(): Lane[] {
    return [...this.lanes.values()].map((e) => e.lane);
  }
}
