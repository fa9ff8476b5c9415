import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cancelledEvent, closedEvent, signalEvent, type EventOf, type SignalEvent } from '../../src/core/events.js';
import type { Strategy } from '../../src/core/strategy.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { runLane } from '../../src/operators/run-lane.js';
import { sizePositions } from '../../src/operators/size-positions.js';
import { candle, marbleCandles, minutes } from '../../src/testing.js';
import { config, longSignal, testScheduler } from './helpers.js';

const lane = { symbol: 'BTC/USD', strategy: 's' };
// SEMANTICS §10's example trade: entry 50000, stop 49000.
const signal = longSignal({ priceOpen: 50_000, priceTakeProfit: 52_000, priceStopLoss: 49_000, pendingAt: minutes(2) });
const scheduled = signalEvent('scheduled', lane, { ...signal, pendingAt: null }, minutes(1));
const opened = signalEvent('opened', lane, signal, minutes(2));
const pnl = { pnlPercentage: 3.6, priceOpen: 50_000, priceClose: 52_000, priceOpenAdjusted: 50_050, priceCloseAdjusted: 51_948 };
const closed = closedEvent(lane, signal, minutes(5), 'take_profit', pnl);
const fixed2 = { method: 'fixed-percentage', riskPercent: 2 } as const;

describe('sizePositions', () => {
  it('adds quantity to opened events only; everything else passes unchanged', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = cold<SignalEvent>('a-b--c|', { a: scheduled, b: opened, c: closed });
      expectObservable(events.pipe(sizePositions({ balance: 10_000, sizing: fixed2 }))).toBe('a-b--c|', {
        a: scheduled,
        b: { ...opened, quantity: 0.2 },
        c: closed,
      });
    });
  });

  it('applies the constraints (maxPositionPercent 10 caps 50 % risk to 0.02)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = cold<SignalEvent>('b|', { b: opened });
      const sized = events.pipe(
        sizePositions({ balance: 10_000, sizing: { method: 'fixed-percentage', riskPercent: 50, maxPositionPercent: 10 } }),
        map((e) => (e as EventOf<'opened'>).quantity),
      );
      expectObservable(sized).toBe('q|', { q: 0.02 });
    });
  });

  it('balance and sizing may be functions of the opened event (a balance you track, an ATR per symbol)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const other = signalEvent('opened', { ...lane, symbol: 'ETH/USD' }, { ...signal, id: 'eth' }, minutes(3));
      const atr: Record<string, number> = { 'BTC/USD': 500, 'ETH/USD': 1000 };
      const sized = cold<SignalEvent>('ab|', { a: opened, b: other }).pipe(
        sizePositions({
          balance: (e) => (e.symbol === 'BTC/USD' ? 10_000 : 20_000),
          sizing: (e) => ({ method: 'atr', riskPercent: 2, atr: atr[e.symbol]! }),
        }),
        map((e) => (e as EventOf<'opened'>).quantity),
      );
      // BTC: 10000·2 % / (500·2) = 0.2; ETH: 20000·2 % / (1000·2) = 0.2.
      expectObservable(sized).toBe('ab|', { a: 0.2, b: 0.2 });
    });
  });

  it('a quantity that cannot be computed: the opened event passes without it, then an error event says why', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const sized = cold<SignalEvent>('-b---c|', { b: opened, c: closed }).pipe(
        sizePositions({ balance: 10_000, sizing: () => ({ method: 'atr', riskPercent: 2, atr: 0 }) }),
      );
      expectObservable(sized).toBe('-(be)c|', {
        b: opened,
        e: {
          action: 'error',
          eventId: 's|BTC/USD|sig@60000|error:sizing',
          symbol: 'BTC/USD',
          strategy: 's',
          now: minutes(2),
          message: "sizing strategy 's' on BTC/USD at 1970-01-01T00:02:00.000Z: atr sizing: atr must be > 0 (an average true range in price units), got 0",
        },
        c: closed,
      });
    });
  });

  it('invalid static options fail at once, naming the input', () => {
    expect(() => sizePositions({ balance: 10_000, sizing: { method: 'kelly', winRate: 1.5, winLossRatio: 1 } })).toThrow(
      /kelly sizing: winRate must be strictly between 0 and 1.*got 1\.5/,
    );
    expect(() => sizePositions({ balance: -1, sizing: fixed2 })).toThrow(/'balance': must be a finite number > 0/);
  });

  it('after the lanes: market entries and activated limit orders get their quantity', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // At 00:01 a market long at 100 (stop 95) that expires at 00:03; at 00:04 a limit long at 98 (stop 93) that the
      // 00:04 candle fills (its low 97.5 reaches 98).
      const strategy: Strategy = {
        name: 's',
        interval: '1m',
        getSignal: (ctx) => {
          if (ctx.now === minutes(1)) return { position: 'long', priceTakeProfit: 102, priceStopLoss: 95, minuteEstimatedTime: 2 };
          if (ctx.now === minutes(4)) return { position: 'long', priceOpen: 98, priceTakeProfit: 104, priceStopLoss: 93, minuteEstimatedTime: 60 };
          return null;
        },
      };
      const candles = marbleCandles(cold, 'abcde|', {
        a: candle(0, 100),
        b: candle(1, 100),
        c: candle(2, 100),
        d: candle(3, 100),
        e: candle(4, 100, 100, 97.5, 99),
      });
      const cfg = config();
      const events = candles.pipe(
        averagePrice({ avgPriceCandles: 1 }),
        runLane(strategy, cfg),
        sizePositions({ balance: 1_000, sizing: { method: 'fixed-percentage', riskPercent: 1 } }),
        map((e) => `${e.action}${e.action === 'opened' ? `:${e.quantity}` : ''}`),
      );
      // 1000 · 1 % / (100 − 95) = 2, then 1000 · 1 % / (98 − 93) = 2: the limit order is sized at its priceOpen.
      expectObservable(events).toBe('a-bcd|', { a: 'opened:2', b: 'closed', c: 'scheduled', d: 'opened:2' });
    });
  });
});
