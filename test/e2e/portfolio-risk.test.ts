import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import { defineRisk } from '../../src/core/risk.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { candleFiles } from '../../src/sources/files.js';
import smaCross from '../../examples/sma-cross.mjs';
import { maxOpenPositions } from '../support/positions.js';
import { sharedFile } from './run-cli.js';

const PAIRS = ['ADA', 'ETH', 'XLM', 'XMR', 'DASH'].map((coin) => ({ symbol: `${coin}/BTC`, path: sharedFile(`${coin}_BTC-1m.json`) }));
const absent = PAIRS.some((p) => p.path === null);

const maxTwo = defineRisk({ name: 'portfolio', maxConcurrentPositions: 2 });

function run(order: readonly number[]): Promise<SignalEvent[]> {
  const files = order.map((i) => ({ path: PAIRS[i]!.path!, symbol: PAIRS[i]!.symbol, interval: '1m' as const }));
  return lastValueFrom(backtest({ source: candleFiles(files), strategies: [smaCross], risk: maxTwo }).pipe(toArray()));
}

describe('portfolio of five real 1m files against BTC with maxConcurrentPositions 2', () => {
  it.skipIf(absent)('never more than 2 positions open, at least one risk rejection, and the same events whatever the symbol order', async () => {
    const [forward, backward, shuffled] = await Promise.all([run([0, 1, 2, 3, 4]), run([4, 3, 2, 1, 0]), run([2, 4, 0, 3, 1])]);
    const closed = forward.filter((e) => e.action === 'closed');
    expect(closed.length).toBeGreaterThan(20);
    expect(new Set(closed.map((e) => e.symbol)).size).toBe(5);

    // Checked from the events alone: replaying opened / closed never has more than 2 open.
    expect(maxOpenPositions(forward)).toBe(2);
    const rejected = forward.filter((e) => e.action === 'risk');
    expect(rejected.length).toBeGreaterThan(0);
    for (const e of rejected) expect(e.action === 'risk' && e.reason).toBe("risk profile 'portfolio': maxConcurrentPositions 2 reached (2 open)");

    expect(backward).toEqual(forward);
    expect(shuffled).toEqual(forward);
  });
});
