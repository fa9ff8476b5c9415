import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { Writable } from 'node:stream';
import type { SignalEvent } from '../core/events.js';
import { formatPrice } from '../core/format.js';
import type { LiveMonitor, LivePhase } from '../pipelines/live-monitor.js';

/** Writes the node's log lines; never throws and never lets a failing stream take the node down. */
export interface LiveLog {
  (line: string): void;
}

/**
 * The live node's log on `out` (stderr): one line per call, prefixed. A log is for people: when its reader goes
 * away (`tickflow live … 2>&1 | tee log` and Ctrl-C closes the pipe) the stream fails with EPIPE, and that must
 * never kill a node that is still draining its positions. The stream's errors are swallowed for the rest of the
 * process (a failed write reports its error asynchronously, possibly after the last line) and later lines dropped.
 */
export function liveLog(out: Writable = process.stderr, prefix = 'tickflow live: '): LiveLog {
  let broken = false;
  out.on('error', () => {
    broken = true;
  });
  return (line: string) => {
    if (broken || out.destroyed || out.writableEnded) return;
    try {
      out.write(`${prefix}${line}\n`);
    } catch {
      broken = true;
    }
  };
}

const describeSignal = (e: Extract<SignalEvent, { signal: unknown }>) =>
  `${e.strategy} ${e.symbol} ${e.signal.position} at ${formatPrice(e.signal.priceOpen)} ` +
  `(take-profit ${formatPrice(e.signal.priceTakeProfit)}, stop-loss ${formatPrice(e.signal.priceStopLoss)})`;

/** Errors and trades as they happen: one line per error, per position opened and per position closed. */
export function logEvents(log: (line: string) => void): MonoTypeOperatorFunction<SignalEvent> {
  return tap<SignalEvent>((e) => {
    if (e.action === 'error') log(`error: ${e.strategy === '*' ? '' : `${e.strategy} `}${e.message}`);
    else if (e.action === 'opened') log(`opened ${describeSignal(e)}`);
    else if (e.action === 'closed') {
      const pnl = e.pnl.pnlPercentage;
      log(`closed ${e.strategy} ${e.symbol} ${e.signal.position} by ${e.closeReason} at ${formatPrice(e.pnl.priceClose)}: ${pnl >= 0 ? '+' : ''}${pnl.toFixed(2)} %`);
    }
  });
}

/** Calls `onPhase` once per phase the node enters (the monitor also reports lanes letting go of signals). */
export function onPhaseChange(monitor: LiveMonitor, onPhase: (phase: LivePhase) => void): () => void {
  let last: LivePhase | null = null;
  return monitor.onChange(() => {
    if (monitor.phase === last) return;
    last = monitor.phase;
    onPhase(last);
  });
}
