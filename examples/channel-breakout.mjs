// Donchian channel breakout on 15-minute candles: enter when the last closed candle closes outside the range of
// the 20 before it, with a resting limit order a little behind the break (a pullback entry), asked every 15 minutes.
// Compare it with the others: tickflow walker --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC \
//   --strategy examples/sma-cross.mjs --strategy examples/rsi-reversion.mjs --strategy examples/channel-breakout.mjs

const LOOKBACK = 20;

/** @type {import('tickflow').Strategy} */
export default {
  name: 'channel-breakout',
  interval: '15m',
  getSignal(ctx) {
    const candles = ctx.candles('15m', LOOKBACK + 1);
    if (candles.length < LOOKBACK + 1) return null;
    const last = candles[candles.length - 1];
    const channel = candles.slice(0, -1);
    const high = Math.max(...channel.map((c) => c.high));
    const low = Math.min(...channel.map((c) => c.low));
    const p = ctx.price;
    const width = Math.min(Math.max(high - low, 0.01 * p), 0.1 * p);
    if (last.close > high) {
      // Limit entry at the middle of the break; targets scale with the channel width.
      const entry = Math.min(p, (last.close + high) / 2);
      return { position: 'long', priceOpen: entry, priceTakeProfit: entry + width, priceStopLoss: entry - width * 0.6, minuteEstimatedTime: 360, note: 'broke above the channel' };
    }
    if (last.close < low) {
      const entry = Math.max(p, (last.close + low) / 2);
      return { position: 'short', priceOpen: entry, priceTakeProfit: entry - width, priceStopLoss: entry + width * 0.6, minuteEstimatedTime: 360, note: 'broke below the channel' };
    }
    return null;
  },
};
