// Donchian channel breakout on 15-minute candles: enter when the last closed candle closes outside the range of
// the 20 before it, with a resting limit order a little behind the break (a pullback entry), asked every 15 minutes.
// Compare it with the others: tickflow walker --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC \
//   --strategy examples/sma-cross.mjs --strategy examples/rsi-reversion.mjs --strategy examples/channel-breakout.mjs

const LOOKBACK = 20;

/** @type {import('tickflow').Strategy} */
export default {
  name: 'channel-breakout',
  interval: '15m',
  // The channel of the LOOKBACK candles before the last closed one (one candle of lag): `donchian(LOOKBACK, { interval:
  // '15m', shift: 1 })` written as the plain spec it returns, so the file runs without importing tickflow.
  indicators: () => ({ channel: { kind: 'donchian', period: LOOKBACK, interval: '15m', shift: 1 } }),
  getSignal(ctx) {
    const { channel } = ctx.indicators;
    if (channel === null) return null;
    const [last] = ctx.candles('15m', 1);
    const high = channel.upper;
    const low = channel.lower;
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
