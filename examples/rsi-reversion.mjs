// Mean reversion on the 14-period RSI of 5-minute candles: buy oversold, sell overbought, asked every 5 minutes.
// Compare it with the others: tickflow walker --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC \
//   --strategy examples/sma-cross.mjs --strategy examples/rsi-reversion.mjs --strategy examples/channel-breakout.mjs

const PERIOD = 14;
const OVERSOLD = 30;
const OVERBOUGHT = 70;

// Kept as a window recomputed at each ask rather than the streaming `rsi(14, '5m')` indicator: this one seeds
// Wilder's smoothing from the sum (not the mean) of the first 14 changes of a fixed 42-candle window, so its values,
// and the example's pinned results, differ from the library's running RSI.

/** Wilder's RSI of the closes (needs PERIOD + 1 of them), 0–100. */
function rsi(closes) {
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= PERIOD; i++) {
    const change = closes[i] - closes[i - 1];
    if (change > 0) gain += change;
    else loss -= change;
  }
  for (let i = PERIOD + 1; i < closes.length; i++) {
    const change = closes[i] - closes[i - 1];
    gain = (gain * (PERIOD - 1) + Math.max(change, 0)) / PERIOD;
    loss = (loss * (PERIOD - 1) + Math.max(-change, 0)) / PERIOD;
  }
  if (loss === 0) return 100;
  return 100 - 100 / (1 + gain / loss);
}

/** @type {import('tickflow').Strategy} */
export default {
  name: 'rsi-reversion',
  interval: '5m',
  getSignal(ctx) {
    // Extra candles so Wilder's smoothing has settled.
    const candles = ctx.candles('5m', PERIOD * 3);
    if (candles.length < PERIOD * 3) return null;
    const value = rsi(candles.map((c) => c.close));
    const p = ctx.price;
    // Targets above the round-trip cost (0.4 % by default), stops a little wider than the targets.
    if (value < OVERSOLD) {
      return { position: 'long', priceTakeProfit: p * 1.006, priceStopLoss: p * 0.992, minuteEstimatedTime: 120, note: `RSI ${value.toFixed(1)}` };
    }
    if (value > OVERBOUGHT) {
      return { position: 'short', priceTakeProfit: p * 0.994, priceStopLoss: p * 1.008, minuteEstimatedTime: 120, note: `RSI ${value.toFixed(1)}` };
    }
    return null;
  },
};
