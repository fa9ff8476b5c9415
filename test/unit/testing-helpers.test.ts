import { describe, expect, it } from 'vitest';
import { CandleError } from '../../src/core/candle.js';
import { cancelledEvent, errorEvent, partialEvent, signalEvent } from '../../src/core/events.js';
import type { Signal } from '../../src/core/signal.js';
import { candle, candlesFrom, eventLabel, flatCandles, minuteOf, minutes, symbolCandles } from '../../src/testing.js';

describe('tickflow/testing', () => {
  it('minutes and minuteOf', () => {
    expect(minutes(5)).toBe(300_000);
    expect(minuteOf(minutes(121))).toBe(121);
  });

  it('candle(): flat by default, validated', () => {
    expect(candle(3, 100)).toEqual({ timestamp: 180_000, open: 100, high: 100, low: 100, close: 100, volume: 1 });
    expect(candle(0, 10, 12, 9, 11, 0)).toEqual({ timestamp: 0, open: 10, high: 12, low: 9, close: 11, volume: 0 });
    expect(() => candle(0, 10, 12, 10.5, 11)).toThrow(CandleError);
    expect(() => candle(0, 10, 9)).toThrow(/high/);
  });

  it('flatCandles and candlesFrom build contiguous series', () => {
    expect(flatCandles(10, 3, 50, { interval: '5m' }).map((c) => minuteOf(c.timestamp))).toEqual([10, 15, 20]);
    const series = candlesFrom({ closes: [100, 102, 101], from: 60, wickPercent: 1, volume: 2 });
    expect(series.map((c) => minuteOf(c.timestamp))).toEqual([60, 61, 62]);
    expect(series[1]).toEqual({ timestamp: minutes(61), open: 100, high: 102 * 1.01, low: 100 * 0.99, close: 102, volume: 2 });
    expect(series[0]!.open).toBe(100);
    expect(symbolCandles(series, 'ETH')[2]).toEqual({ symbol: 'ETH', interval: '1m', candle: series[2] });
  });

  it('eventLabel', () => {
    const lane = { symbol: 'X', strategy: 's' };
    const signal: Signal = {
      id: 'i',
      position: 'long',
      priceOpen: 1,
      priceTakeProfit: 2,
      priceStopLoss: 0.5,
      minuteEstimatedTime: 5,
      scheduledAt: 0,
      pendingAt: null,
      note: null,
    };
    expect(eventLabel(signalEvent('scheduled', lane, signal, minutes(5)))).toBe('scheduled@5');
    expect(eventLabel(cancelledEvent(lane, signal, minutes(125), 'timeout'))).toBe('cancelled:timeout@125');
    expect(eventLabel(partialEvent(lane, signal, minutes(7), 'loss', 30, 0.8))).toBe('partial_loss:30@7');
    expect(eventLabel(errorEvent(lane, minutes(3), 'x'))).toBe('error@3');
  });
});
