import type { LivePhase } from './live-monitor.js';

/** What moves a live node from one {@link LivePhase} to the next. */
export type NodeEvent = 'warm-up' | 'run' | 'drain' | 'stop';

/**
 * The live nodes' state machine (`live` and `liveFromKafka`); the monitor holds the current state (`/healthz`
 * `phase`, `tickflow_up{phase}`), the nodes send the events.
 *
 * ```
 *   starting ──warm-up──► warming-up ──run──► running
 *      │  └──────────────run───────────────────▲ │
 *      │                     │                   │
 *      └──drain──► draining ◄┴──drain────────────┘      every state ──stop──► stopped
 * ```
 *
 * - `starting`: the exchange's clock is read (retried while it fails), the lanes are restored from the store and
 *   their last events re-delivered. No candle is processed.
 * - `warming-up`: history before each symbol's resume point fills the price history; the lanes then backfill the
 *   candles closed since their last checkpoint.
 * - `running`: caught up; each newly closed candle runs the lanes as it closes.
 * - `draining`: asks no strategy any more (it still warms up and backfills if asked to drain early); open and
 *   scheduled signals are monitored until none is held, then the node stops.
 * - `stopped`: a last checkpoint is written, the stream has completed or failed. Final.
 */
const MOVES: Readonly<Record<LivePhase, Readonly<Partial<Record<NodeEvent, LivePhase>>>>> = {
  starting: { 'warm-up': 'warming-up', run: 'running', drain: 'draining', stop: 'stopped' },
  'warming-up': { run: 'running', drain: 'draining', stop: 'stopped' },
  running: { drain: 'draining', stop: 'stopped' },
  // A drain asked for during start-up still goes through the warm-up and the backfill: it stays a drain.
  draining: { 'warm-up': 'draining', run: 'draining', drain: 'draining', stop: 'stopped' },
  // A stop request may race the end of the stream: once stopped, nothing moves it.
  stopped: { drain: 'stopped', stop: 'stopped' },
};

/** The state after `event` in `phase`; a move the table does not have is a defect of the node, never a user's. */
export function nextPhase(phase: LivePhase, event: NodeEvent): LivePhase {
  const next = MOVES[phase][event];
  if (next === undefined) throw new Error(`live node: '${event}' is not a move from '${phase}'`);
  return next;
}
