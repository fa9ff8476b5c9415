import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { dip, trend } from '../support/fixtures.js';

const REAL = path.resolve(__dirname, '../../../shared/data/freqtrade/ETH_BTC-1m.json');
const candles = JSON.parse(readFileSync(REAL, 'utf8')) as number[][];

/** The same strategy, returning the same `id` for every signal. */
function constantId(strategy: Strategy): Strategy {
  return {
    ...strategy,
    name: `${strategy.name}-const`,
    getSignal: (ctx) => {
      const s = strategy.getSignal(ctx) as Record<string, unknown> | null;
      return s === null || s === undefined ? s : ({ ...s, id: 'same' } as never);
    },
  };
}

describe('event ids', () => {
  it('are unique per event on real data when the strategy returns a constant signal id', async () => {
    const strategies = [constantId(trend), constantId(dip(0.998))];
    const events = await collect(backtest({ source: replayCandles({ 'ETH/BTC': candles }), strategies, config: { closeAtEnd: true } }));
    expect(events.length).toBeGreaterThan(500);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    // Deterministic: the same run gives the same ids.
    const again = await collect(backtest({ source: replayCandles({ 'ETH/BTC': candles }), strategies, config: { closeAtEnd: true } }));
    expect(again.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('of a strategy that supplies no id are strategy|symbol|signal id|action', async () => {
    const events = await collect(backtest({ source: replayCandles({ 'ETH/BTC': candles.slice(0, 200) }), strategies: [trend] }));
    const opened = events.find((e) => e.action === 'opened')!;
    expect(opened.eventId).toBe(`trend|ETH/BTC|trend:ETH/BTC:${opened.now}|opened`);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });
});
