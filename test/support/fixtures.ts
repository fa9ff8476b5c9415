/** Deterministic market data and strategies shared by the integration and Kafka tests. */
import type { Candle } from '../../src/core/candle.js';
import type { Strategy } from '../../src/core/strategy.js';

const MIN = 60_000;
export const T0 = Date.UTC(2024, 0, 1);

/** A wavy, deterministic price path: enough swings for take-profits, stop-losses, partials and limit fills. */
export function series(count: number, phase: number): Candle[] {
  const out: Candle[] = [];
  let prev = 100;
  for (let i = 0; i < count; i++) {
    const close = 100 * (1 + 0.02 * Math.sin((i + phase) / 37) + 0.008 * Math.sin((i + 3 * phase) / 7));
    const open = prev;
    out.push({
      timestamp: T0 + i * MIN,
      open,
      high: Math.max(open, close) * 1.0015,
      low: Math.min(open, close) * 0.9985,
      close,
      volume: 1 + (i % 5),
    });
    prev = close;
  }
  return out;
}

/** Follows the last three minutes: long when rising, short when falling; 1 % targets, 45 minutes, every 5 minutes. */
export const trend: Strategy = {
  name: 'trend',
  interval: '5m',
  getSignal: (ctx) => {
    const cs = ctx.candles('1m', 3);
    if (cs.length < 3) return null;
    const p = ctx.price;
    return cs[2]!.close > cs[0]!.close
      ? { position: 'long', priceTakeProfit: p * 1.01, priceStopLoss: p * 0.99, minuteEstimatedTime: 45 }
      : { position: 'short', priceTakeProfit: p * 0.99, priceStopLoss: p * 1.01, minuteEstimatedTime: 45 };
  },
};

/** A resting limit `below` × price every 15 minutes: scheduled, then filled, cancelled or timed out. */
export function dip(below: number): Strategy {
  return {
    name: 'dip',
    interval: '15m',
    getSignal: (ctx) => ({
      position: 'long',
      priceOpen: ctx.price * below,
      priceTakeProfit: ctx.price * 1.01,
      priceStopLoss: ctx.price * 0.98,
      minuteEstimatedTime: 60,
    }),
  };
}
