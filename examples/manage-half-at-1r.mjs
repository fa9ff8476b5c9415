// `manage(ctx)`: take half the position off at 1R (a gain as large as the initial risk), then trail the rest
// (SEMANTICS §13). Run it: tickflow backtest --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC --strategy examples/manage-half-at-1r.mjs
//
// `manage` is asked at the strategy's interval while its signal is open. Its actions apply at the current price,
// all or none; a stop it moves acts from the next candle.

function mean(values) {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** @type {import('tickflow').Strategy} */
export default {
  name: 'half-at-1r',
  interval: '5m',
  getSignal(ctx) {
    const candles = ctx.candles('15m', 21);
    if (candles.length < 21) return null;
    const closes = candles.map((c) => c.close);
    const fast = mean(closes.slice(-5));
    const slow = mean(closes.slice(-20));
    const prevFast = mean(closes.slice(-6, -1));
    const prevSlow = mean(closes.slice(-21, -1));
    const p = ctx.price;
    if (prevFast <= prevSlow && fast > slow) return { position: 'long', priceTakeProfit: p * 1.04, priceStopLoss: p * 0.99, minuteEstimatedTime: 1440 };
    if (prevFast >= prevSlow && fast < slow) return { position: 'short', priceTakeProfit: p * 0.96, priceStopLoss: p * 1.01, minuteEstimatedTime: 1440 };
    return null;
  },
  manage({ price, position }) {
    const { signal, remaining, stop } = position;
    const long = signal.position === 'long';
    const risk = Math.abs(signal.priceOpen - signal.priceStopLoss);
    const gain = long ? price - signal.priceOpen : signal.priceOpen - price;
    if (remaining === 1) {
      // 1R: close half, and from now on never lose on the rest (the stop to the entry).
      if (gain >= risk) return [{ action: 'partial-close', percent: 50 }, { action: 'move-stop', price: signal.priceOpen }];
      return null;
    }
    // The rest trails 1R behind the price, only ever tightening.
    const trail = long ? price - risk : price + risk;
    return (long ? trail > stop : trail < stop) ? { action: 'move-stop', price: trail } : null;
  },
};
