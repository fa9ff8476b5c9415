// A moving-average crossover on 15-minute candles, asked every 5 minutes.
// Run it: tickflow backtest --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC --strategy examples/sma-cross.mjs
// One candidate of its parameter space: … --param fast=5 --param slow=30; search it: tickflow optimize … (README).

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
  getSignal(ctx) {
    const { fast: FAST, slow: SLOW } = ctx.params;
    const candles = ctx.candles('15m', SLOW + 1);
    if (candles.length < SLOW + 1) return null;
    const closes = candles.map((c) => c.close);
    const fastNow = mean(closes.slice(-FAST));
    const slowNow = mean(closes.slice(-SLOW));
    const fastPrev = mean(closes.slice(-FAST - 1, -1));
    const slowPrev = mean(closes.slice(-SLOW - 1, -1));
    // Distances scale with the recent range, with floors above the round-trip cost (0.4 % by default).
    const range = mean(candles.slice(-14).map((c) => c.high - c.low));
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
