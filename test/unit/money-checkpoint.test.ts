import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import { EquityTracker, type AccountInput, type AccountOutput, type EquityOptions } from '../../src/core/equity.js';
import { interleaveByInstant } from '../../src/core/interleave.js';
import { resolveMoneyConfig } from '../../src/core/money-config.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { collect } from '../support/collect.js';
import { dip, trend } from '../support/fixtures.js';

const config = resolveConfig();

/** Three days of two synthetic symbols, with the run's events interleaved by instant (candles first). */
async function items(): Promise<AccountInput[]> {
  const source = () => syntheticCandles({ symbols: ['A/B', 'C/B'], start: Date.UTC(2024, 0, 1), count: 3 * 1440, seed: 5, gaps: 0.002 });
  const candles = (await collect(source())) as SymbolCandle[];
  const events = await collect(backtest({ source: source(), strategies: [trend, dip(0.998)], config }));
  const out = [...interleaveByInstant(candles, events)];
  expect(out.length).toBe(candles.length + events.length);
  return out;
}

function run(list: readonly AccountInput[], options: EquityOptions): AccountOutput[] {
  const out: AccountOutput[] = [];
  const tracker = new EquityTracker(options, (o) => out.push(o));
  for (const item of list) tracker.step(item);
  tracker.finish();
  return out;
}

describe('the account checkpoint', () => {
  it('a tracker restored from a JSON snapshot continues exactly as the uninterrupted one (curve, records, statistics)', async () => {
    const list = await items();
    for (const everyMs of [0, 3_600_000]) {
      const options: EquityOptions = { money: resolveMoneyConfig({ balance: 1000, stake: { equityPercent: 45 } }), config, everyMs };
      const full = run(list, options);
      expect(full.some((o) => o.kind === 'rejected')).toBe(true);
      for (const cut of [1, Math.floor(list.length / 3), Math.floor((2 * list.length) / 3), list.length - 1]) {
        const first: AccountOutput[] = [];
        const before = new EquityTracker(options, (o) => first.push(o));
        for (const item of list.slice(0, cut)) before.step(item);
        const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
        const second: AccountOutput[] = [];
        const after = new EquityTracker(options, (o) => second.push(o), snapshot);
        for (const item of list.slice(cut)) after.step(item);
        after.finish();
        expect([...first, ...second]).toEqual(full);
      }
    }
  });

  it('a snapshot taken under another balance, or damaged, is refused with the reason', () => {
    const options: EquityOptions = { money: resolveMoneyConfig({ balance: 1000 }), config };
    const snapshot = new EquityTracker(options, () => {}).snapshot();
    const other: EquityOptions = { money: resolveMoneyConfig({ balance: 2000 }), config };
    expect(() => new EquityTracker(other, () => {}, snapshot)).toThrow('account checkpoint: it was taken with balance 1000, the config says 2000');
    expect(() => new EquityTracker(options, () => {}, { ...snapshot, cash: -1 })).toThrow("account checkpoint: 'cash'");
  });
});

describe('interleaveByInstant', () => {
  it('orders by instant with the candles of an instant before its events; leftovers on either side follow', async () => {
    const { signalEvent } = await import('../../src/core/events.js');
    const { candle, minutes } = await import('../../src/testing.js');
    const sc = (symbol: string, minute: number): SymbolCandle => ({ symbol, interval: '1m', candle: candle(minute, 1) });
    const lane = { symbol: 'A', strategy: 's' };
    const signal = { id: 'x', position: 'long', priceOpen: 1, priceTakeProfit: 2, priceStopLoss: 0.5, minuteEstimatedTime: 5, scheduledAt: 0, pendingAt: 0, note: null } as const;
    const e1 = signalEvent('opened', lane, signal, minutes(1));
    const e3 = signalEvent('opened', lane, signal, minutes(3));
    const e9 = signalEvent('opened', lane, signal, minutes(9));
    const candles = [sc('A', 0), sc('B', 0), sc('A', 1), sc('A', 2)];
    const merged = [...interleaveByInstant(candles, [e1, e3, e9])];
    expect(merged).toEqual([candles[0], candles[1], e1, candles[2], candles[3], e3, e9]);
    expect([...interleaveByInstant([], [e1])]).toEqual([e1]);
    expect([...interleaveByInstant(candles, [])]).toEqual(candles);
  });
});
