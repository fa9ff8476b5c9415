import { lastValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { closedEvent, errorEvent, partialEvent, signalEvent, type SignalEvent } from '../../src/core/events.js';
import { computeHeat } from '../../src/core/heat.js';
import { computePartialStatistics } from '../../src/core/partial-stats.js';
import type { Signal } from '../../src/core/signal.js';
import { computeStatistics } from '../../src/core/stats.js';
import { heatStatistics } from '../../src/operators/heat-statistics.js';
import { partialStatistics } from '../../src/operators/partial-statistics.js';

const M = 60_000;
let seq = 0;
function signal(): Signal {
  return {
    id: `s${seq++}`,
    position: 'long',
    priceOpen: 100,
    priceTakeProfit: 110,
    priceStopLoss: 90,
    minuteEstimatedTime: 600,
    scheduledAt: 0,
    pendingAt: 0,
    note: null,
  };
}
const pnl = (p: number) => ({ pnlPercentage: p, priceOpen: 100, priceClose: 100, priceOpenAdjusted: 100, priceCloseAdjusted: 100 });
/** opened + closed of one trade on `symbol` for `strategy`, closing at minute `at`. */
function trade(symbol: string, p: number, at: number, strategy = 'st'): SignalEvent[] {
  const lane = { symbol, strategy };
  const s = signal();
  return [signalEvent('opened', lane, s, 0), closedEvent(lane, s, at * M, p > 0 ? 'take_profit' : 'stop_loss', pnl(p))];
}

describe('partial statistics: counts per level and direction', () => {
  const lane = { symbol: 'X', strategy: 'st' };
  const a = signal();
  const b = signal();
  const events: SignalEvent[] = [
    partialEvent(lane, a, M, 'profit', 10, 101),
    partialEvent(lane, a, M, 'profit', 20, 102),
    partialEvent(lane, a, 2 * M, 'loss', 10, 99),
    partialEvent(lane, b, 3 * M, 'profit', 10, 101),
    partialEvent(lane, b, 3 * M, 'loss', 50, 95),
    closedEvent(lane, a, 4 * M, 'take_profit', pnl(1)),
  ];

  it('one row per level reached, ascending, with profit and loss counts and totals', () => {
    expect(computePartialStatistics(events)).toEqual({
      totalProfit: 3,
      totalLoss: 2,
      levels: [
        { level: 10, profit: 2, loss: 1 },
        { level: 20, profit: 1, loss: 0 },
        { level: 50, profit: 0, loss: 1 },
      ],
    });
  });

  it('no partial events: empty', () => {
    expect(computePartialStatistics(trade('X', 1, 5))).toEqual({ totalProfit: 0, totalLoss: 0, levels: [] });
  });

  it('the operator emits the same once the events complete', async () => {
    expect(await lastValueFrom(from(events).pipe(partialStatistics()))).toEqual(computePartialStatistics(events));
  });
});

describe('heat: portfolio statistics per symbol (SEMANTICS §9)', () => {
  // ADA: two wins (stdDev > 0); BTC: one win, one loss; ETH: open only (no closed signal: null Sharpe); DOT: wins of
  // equal Sharpe to ADA's, to check the tie order.
  const events: SignalEvent[] = [
    ...trade('BTC', 2, 1),
    ...trade('ADA', 1, 2),
    ...trade('BTC', -3, 3),
    ...trade('ADA', 3, 4),
    signalEvent('opened', { symbol: 'ETH', strategy: 'st' }, signal(), 4 * M),
    ...trade('DOT', 1, 5),
    ...trade('DOT', 3, 6),
    errorEvent({ symbol: 'XRP', strategy: 'st' }, 6 * M, 'boom'),
    { action: 'progress', eventId: 'p', symbol: '*', strategy: '*', now: 0, processed: 1, total: null },
  ];
  const h = computeHeat(events);

  it('rows sorted by Sharpe descending, ties by symbol, nulls last; errors and run events make no row', () => {
    expect(h.rows.map((r) => [r.symbol, r.statistics.sharpeRatio])).toEqual([
      ['ADA', 2],
      ['DOT', 2],
      ['BTC', -0.2],
      ['ETH', null],
    ]);
    expect(h.rows[3]!.statistics.openSignals).toBe(1);
  });

  it('each row is that symbol alone', () => {
    expect(h.rows.find((r) => r.symbol === 'BTC')!.statistics).toEqual(computeStatistics(trade('BTC', 2, 1).concat(trade('BTC', -3, 3))));
  });

  it('the totals are the whole portfolio in close order (its own drawdown, not a sum of rows)', () => {
    expect(h.totals.symbols).toBe(4);
    const t = h.totals.statistics;
    expect(t.totalSignals).toBe(6);
    expect(t.totalPnl).toBeCloseTo(2 + 1 - 3 + 3 + 1 + 3, 12);
    // Cumulative 2, 3, 0, 3, 4, 7: the one drop is 3 → 0.
    expect(t.maxDrawdown).toBeCloseTo(3, 12);
    expect(t.openSignals).toBe(1);
  });

  it('restricted to one strategy', () => {
    const mixed = [...trade('BTC', 2, 1, 'a'), ...trade('ETH', -1, 2, 'b')];
    expect(computeHeat(mixed, { strategy: 'b' }).rows.map((r) => r.symbol)).toEqual(['ETH']);
    expect(computeHeat(mixed).rows.map((r) => r.symbol)).toEqual(['BTC', 'ETH']);
  });

  it('no events: no rows, null ratios', () => {
    const empty = computeHeat([]);
    expect(empty.rows).toEqual([]);
    expect(empty.totals.symbols).toBe(0);
    expect(empty.totals.statistics.sharpeRatio).toBeNull();
  });

  it('the operator emits the same once the events complete', async () => {
    expect(await lastValueFrom(from(events).pipe(heatStatistics()))).toEqual(h);
  });
});
