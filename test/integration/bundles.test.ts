import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The ESM build and each CommonJS entry point carry their own copy of every class: values a user makes with one
// (a gate, a monitor, a source) must work with functions from another. Runs against the dist build.

const DIST = path.resolve(__dirname, '../../dist');
const require = createRequire(import.meta.url);

interface Bundle {
  FlowGate: new () => { hold(): void; release(): void; readonly blocked: boolean };
  backtest: (options: unknown) => { subscribe(o: unknown): { unsubscribe(): void } };
  replayCandles: (data: unknown) => { withGate(gate: unknown): unknown };
  live: (options: unknown) => unknown;
  LiveMonitor: new () => unknown;
}

const cjs = require(path.join(DIST, 'index.cjs')) as Bundle;
const liveCjs = require(path.join(DIST, 'live.cjs')) as Bundle;

const T0 = Date.UTC(2024, 0, 1);
const candles = Array.from({ length: 300 }, (_, i) => [T0 + i * 60_000, 1, 1.01, 0.99, 1 + 0.001 * Math.sin(i / 9), 1]);
const quiet = { name: 'quiet', interval: '1m', getSignal: () => null };

function liveOptions(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    exchange: { fetchOHLCV: () => [] },
    symbols: ['X'],
    strategies: [quiet],
    store: { writeCheckpoint: () => undefined, readCheckpoint: () => undefined, checkpoints: () => [], candles: {} },
    ...extra,
  };
}

function collect(run: { subscribe(o: unknown): unknown }): Promise<Array<{ action: string }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ action: string }> = [];
    run.subscribe({ next: (e: { action: string }) => out.push(e), error: reject, complete: () => resolve(out) });
  });
}

describe('values cross bundles', () => {
  it('live (CommonJS tickflow/live) takes a FlowGate from CommonJS tickflow and a LiveMonitor from the ESM build', async () => {
    const esmLive = (await import(pathToFileURL(path.join(DIST, 'live.js')).href)) as Bundle;
    expect(() => liveCjs.live(liveOptions({ gate: new cjs.FlowGate() }))).not.toThrow();
    expect(() => liveCjs.live(liveOptions({ monitor: new esmLive.LiveMonitor() }))).not.toThrow();
    // Still a check: something that is not a gate is refused.
    expect(() => liveCjs.live(liveOptions({ gate: {} }))).toThrow(/gate/);
  });

  it('backtest (CommonJS) keeps the fast path and the gate of a replayCandles source from the ESM build', async () => {
    const esm = (await import(pathToFileURL(path.join(DIST, 'index.js')).href)) as Bundle;
    let pulled = 0;
    function* input() {
      for (const c of candles) {
        pulled++;
        yield c;
      }
    }
    // An async strategy: the run's gate holds the source while it thinks, so nothing is read ahead of the ask.
    let lead = -Infinity;
    const thinking = {
      name: 'thinking',
      interval: '5m',
      getSignal: (ctx: { now: number }) => {
        lead = Math.max(lead, pulled - (ctx.now - T0) / 60_000);
        return new Promise((resolve) => setImmediate(() => resolve(null)));
      },
    };
    const gate = new esm.FlowGate();
    gate.hold();
    const done = collect(cjs.backtest({ source: esm.replayCandles({ X: input() }).withGate(gate), strategies: [thinking] }));
    // The source's own gate is held: nothing is read until it opens.
    expect(pulled).toBe(0);
    gate.release();
    await done;
    expect(lead).toBeLessThanOrEqual(0);
    expect(pulled).toBe(candles.length);
  });
});
