// A moving-average crossover on 15-minute candles, asked every 5 minutes.
// Run it: tickflow backtest --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC --strategy examples/sma-cross.mjs
// One candidate of its parameter space: … --param fast=5 --param slow=30; search it: tickflow optimize … (README).
// The averages are streaming indicators (declared once, shared by candidates with the same period); `shift: 1` is
// the value one closed 15m candle earlier, which makes the crossover. Specs are plain objects (this file is also
// bundled into the CLI's demo): `{ kind: 'sma', period, interval }` is what `sma(period, interval)` returns.

function mean(values) {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** @type {import('tickflow').Strategy} */
export default {
  name: 'sma-cross',
  interval: '5m',
  params: {
    fast: { type: 'int', min: 3, max: 15, default: 7 },
    slow: { type: 'int', min: 15, max: 45, step: 5, default: 25 },
  },
  constraint: ({ fast, slow }) => fast < slow,
  indicators: ({ fast, slow }) => ({
    fastNow: { kind: 'sma', period: fast, interval: '15m' },
    slowNow: { kind: 'sma', period: slow, interval: '15m' },
    fastPrev: { kind: 'sma', period: fast, interval: '15m', shift: 1 },
    slowPrev: { kind: 'sma', period: slow, interval: '15m', shift: 1 },
  }),
  getSignal(ctx) {
    const { fastNow, slowNow, fastPrev, slowPrev } = ctx.indicators;
    // The slow average of the candle before is the last to warm up (slow + 1 closed 15m candles).
    if (slowPrev === null) return null;
    // Distances scale with the recent range, with floors above the round-trip cost (0.4 % by default).
    const range = mean(ctx.candles('15m', 14).map((c) => c.high - c.low));
    const p = ctx.price;
    const takeProfit = Math.min(Math.max(2 * range, 0.008 * p), 0.1 * p);
    const stopLoss = Math.min(Math.max(1.5 * range, 0.006 * p), 0.1 * p);
    if (fastPrev <= slowPrev && fastNow > slowNow) {
      return { position: 'long', priceTakeProfit: p + takeProfit, priceStopLoss: p - stopLoss, minuteEstimatedTime: 240, note: 'fast SMA crossed above slow' };
    }
    if (fastPrev >= slowPrev && fastNow < slowNow) {
      return { position: 'short', priceTakeProfit: p - takeProfit, priceStopLoss: p + stopLoss, minuteEstimatedTime: 240, note: 'fast SMA crossed below slow' };
    }
    return null;
  },
};
