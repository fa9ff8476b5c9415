// A portfolio risk profile: at most two positions open at once across every symbol and strategy of the run, and
// never two on the same symbol (when several strategies trade it).
// Run it: tickflow backtest --candles ../shared/data/freqtrade/ETH_BTC-1m.json --symbol ETH/BTC \
//           --candles ../shared/data/freqtrade/ADA_BTC-1m.json --symbol ADA/BTC \
//           --candles ../shared/data/freqtrade/XLM_BTC-1m.json --symbol XLM/BTC \
//           --strategy examples/sma-cross.mjs --risk examples/portfolio-risk.mjs

/** @type {import('tickflow').RiskProfile} */
export default {
  name: 'portfolio',
  maxConcurrentPositions: 2,
  validations: [
    {
      validate: ({ symbol, activePositions }) => !activePositions.some((p) => p.symbol === symbol),
      note: 'one position per symbol',
    },
  ],
};
