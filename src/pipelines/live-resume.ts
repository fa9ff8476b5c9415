import type { SignalEvent } from '../core/events.js';
import { IDLE_STATE } from '../core/lane.js';
import type { RestoredLane } from '../engine/lane-book.js';
import type { CheckpointEntry, CheckpointStore } from '../store/types.js';

/** Where every lane of a live node picks up (SEMANTICS §11). */
export interface ResumePlan {
  /** Each lane's state and last processed candle, by `strategy` then `symbol`. */
  readonly lanes: ReadonlyMap<string, ReadonlyMap<string, RestoredLane>>;
  /** Per symbol, open time of the first candle to ask the exchange for: the candle after the least advanced lane's. */
  readonly since: Readonly<Record<string, number>>;
  /** The events of each restored lane's last checkpoint, to deliver again before anything else. */
  readonly outbox: readonly SignalEvent[];
  /** The outbox of one lane (carried over when the lane is checkpointed again before its own next transition). */
  outboxOf(strategy: string, symbol: string): readonly SignalEvent[] | undefined;
  /** Lanes restored from a checkpoint, and lanes started fresh at `start`. */
  readonly restored: number;
  readonly fresh: number;
}

export interface ResumeRequest {
  readonly store: Pick<CheckpointStore, 'readCheckpoint' | 'writeCheckpoint' | 'writeCheckpoints'>;
  readonly strategies: readonly string[];
  readonly symbols: readonly string[];
  /** Length of the base interval in ms. */
  readonly stepMs: number;
  /** Open time of the first candle a lane without a checkpoint processes. */
  readonly start: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reads every lane's checkpoint. A lane without one (a new node, a strategy or symbol added since) starts idle at
 * `start`, and that start is checkpointed at once, in one transaction: a crash before its first transition must not
 * move its start to whenever the node happens to come back.
 */
export function planResume(req: ResumeRequest): ResumePlan {
  const { store, stepMs } = req;
  const first = Math.ceil(req.start / stepMs) * stepMs;
  const lanes = new Map<string, Map<string, RestoredLane>>();
  const outboxes = new Map<string, readonly SignalEvent[]>();
  const outbox: SignalEvent[] = [];
  const fresh: CheckpointEntry[] = [];
  const since: Record<string, number> = {};
  for (const strategy of [...req.strategies].sort(byName)) {
    const perSymbol = new Map<string, RestoredLane>();
    lanes.set(strategy, perSymbol);
    for (const symbol of [...req.symbols].sort(byName)) {
      const cp = store.readCheckpoint(strategy, symbol);
      let lane: RestoredLane;
      if (cp === undefined) {
        lane = { state: IDLE_STATE, lastTimestamp: first - stepMs };
        fresh.push({ strategy, symbol, checkpoint: { ...lane, events: [] } });
      } else {
        lane = { state: cp.state, lastTimestamp: cp.lastTimestamp };
        outboxes.set(`${strategy}\u0000${symbol}`, cp.events);
        outbox.push(...cp.events);
      }
      perSymbol.set(symbol, lane);
      since[symbol] = Math.min(since[symbol] ?? Infinity, lane.lastTimestamp + stepMs);
    }
  }
  if (fresh.length > 0) {
    if (store.writeCheckpoints) store.writeCheckpoints(fresh);
    else for (const e of fresh) store.writeCheckpoint(e.strategy, e.symbol, e.checkpoint);
  }
  return {
    lanes,
    since,
    outbox,
    outboxOf: (strategy, symbol) => outboxes.get(`${strategy}\u0000${symbol}`),
    restored: req.strategies.length * req.symbols.length - fresh.length,
    fresh: fresh.length,
  };
}
