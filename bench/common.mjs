// Shared by the benchmarks: the workload strategy and CPU-time measurement.

/**
 * Momentum on the last three closed 5m candles, asked every 5 minutes: cheap, synchronous, and it trades.
 * `exit` is the take-profit / stop-loss distance as a fraction, `minutes` the signal's lifetime.
 */
export function momentumStrategy({ name = 'momentum', exit = 0.01, minutes = 120 } = {}) {
  return {
    name,
    interval: '5m',
    getSignal(ctx) {
      const c = ctx.candles('5m', 3);
      if (c.length < 3) return null;
      const p = ctx.price;
      if (c[0].close < c[1].close && c[1].close < c[2].close) {
        return { position: 'long', priceTakeProfit: p * (1 + exit), priceStopLoss: p * (1 - exit), minuteEstimatedTime: minutes };
      }
      if (c[0].close > c[1].close && c[1].close > c[2].close) {
        return { position: 'short', priceTakeProfit: p * (1 - exit), priceStopLoss: p * (1 + exit), minuteEstimatedTime: minutes };
      }
      return null;
    },
  };
}

/** CPU time of this process (user + system) in ms: on a shared machine wall time measures the neighbours. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
