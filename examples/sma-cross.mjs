// A moving-average crossover on 15-minute candles, asked every 5 minutes.
// Run it: tickflow backtest --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC --strategy examples/sma-cross.mjs

const FAST = 7;
const SLOW = 25;

function mean(values) {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** @type {import('tickflow').Strategy} */
export default {
  name: 'sma-cross',
  interval: '5m',
  getSignal(ctx) {
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
