import type { Candle } from './candle.js';
import type { CandleHistory } from './history.js';
import type { Interval } from './intervals.js';
import type { SignalEvent } from './events.js';
import type { ManagedPosition } from './managed-position.js';
import type { Proposal, Signal } from './signal.js';
import type { StepBarrier } from './step-barrier.js';

/** A closed candle as the lanes see it: the engine's clock `now`, the current price and the symbol's history. */
export interface Bar {
  readonly symbol: string;
  readonly interval: Interval;
  readonly candle: Candle;
  /** `candle.timestamp + interval`: the instant the candle closed (SEMANTICS §1). */
  readonly now: number;
  /** VWAP of the last closed candles (SEMANTICS §2); null before any volume-bearing candle exists. */
  readonly price: number | null;
  readonly history: CandleHistory;
}

export interface PartialLevels {
  readonly profit: readonly number[];
  readonly loss: readonly number[];
}

/**
 * Everything one lane (symbol × strategy) must remember between candles. An immutable value: a transition
 * replaces it, so a checkpoint can hold on to the value it wrote.
 */
export interface LaneState {
  /** The scheduled (pendingAt null) or open signal, if any. */
  readonly signal: Signal | null;
  /** Partial milestone levels already emitted for the current signal. */
  readonly partials: PartialLevels;
  /** The throttle slot the strategy was last asked at. */
  readonly lastAskedAt: number | null;
  /**
   * What management moved or closed of the open signal (SEMANTICS §13); null (or absent, in a state built by hand)
   * while nothing has. `laneState` always sets it.
   */
  readonly managed?: ManagedPosition | null;
}

/**
 * Every LaneState is built here, with one key order, so the per-candle stages see a single object shape (spreads
 * and frozen constants made the property loads polymorphic on the hot path). Treat the values as immutable.
 */
export function laneState(
  signal: Signal | null,
  partials: PartialLevels,
  lastAskedAt: number | null,
  managed: ManagedPosition | null = null,
): LaneState {
  return { signal, partials, lastAskedAt, managed };
}

export const NO_PARTIALS: PartialLevels = { profit: [], loss: [] };
export const IDLE_STATE: LaneState = laneState(null, NO_PARTIALS, null);

/** The mutable holder of one lane's state, shared by that lane's stages. */
export interface Lane {
  readonly symbol: string;
  readonly strategy: string;
  state: LaneState;
  /** Open time of the last candle this lane processed; a candle at or before it is a replay and is skipped. */
  lastTimestamp: number;
  /** Shared by the lanes of one chain of operators, to keep their steps in order while one waits. */
  readonly barrier?: StepBarrier;
}

/** The record that flows through a lane's operators for one candle. */
export interface LaneStep {
  readonly bar: Bar;
  readonly lane: Lane;
  /** Set by the strategy stage, consumed by the risk gate and the entry stage. */
  proposal: Proposal | null;
  /** Whether the lane's state changed at this candle (a checkpoint is due). */
  transitioned: boolean;
  /** End of data: the run is asked to settle open signals (`closeAtEnd`). */
  readonly final: boolean;
  /** The events of this step, in order. Starts as the shared {@link NO_EVENTS}: append with `addEvent`. */
  events: readonly SignalEvent[];
}

/** Most candles produce no event: they share this empty list instead of allocating one each. */
export const NO_EVENTS: readonly SignalEvent[] = Object.freeze([]);

/** Append an event to the step (allocating its list on the first event). */
export function addEvent(step: LaneStep, event: SignalEvent): void {
  if (step.events === NO_EVENTS) step.events = [event];
  else (step.events as SignalEvent[]).push(event);
}

export function laneStatus(state: LaneState): 'idle' | 'scheduled' | 'opened' {
  return state.signal === null ? 'idle' : state.signal.pendingAt === null ? 'scheduled' : 'opened';
}
