// A trend follower whose stop trails the best price and moves to breakeven (SEMANTICS §13).
// Run it: tickflow backtest --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC --strategy examples/trailing-breakeven.mjs
//
// Once the price has gone 0.6 % its way the stop sits where the trade loses nothing (fees and slippage included);
// once it has gone 0.8 % the stop trails the best price by 0.5 %. A stop a candle raises acts from the next candle.

function mean(values) {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** @type {import('tickflow').Strategy} */
export default {
  name: 'trailing-breakeven',
  interval: '15m',
  getSignal(ctx) {
    const candles = ctx.candles('15m', 21);
    if (candles.length < 21) return null;
    const closes = candles.map((c) => c.close);
    const fast = mean(closes.slice(-5));
    const slow = mean(closes.slice(-20));
    const prevFast = mean(closes.slice(-6, -1));
    const prevSlow = mean(closes.slice(-21, -1));
    const p = ctx.price;
    const managed = {
      minuteEstimatedTime: 720,
      breakeven: true,
      trailingStop: { distancePercent: 0.5, activationPercent: 0.8 },
    };
    if (prevFast <= prevSlow && fast > slow) {
      return { position: 'long', priceTakeProfit: p * 1.03, priceStopLoss: p * 0.99, ...managed };
    }
    if (prevFast >= prevSlow && fast < slow) {
      return { position: 'short', priceTakeProfit: p * 0.97, priceStopLoss: p * 1.01, ...managed };
    }
    return null;
  },
};
