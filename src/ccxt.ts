// `tickflow/ccxt`: candle sources on ccxt exchanges. Kept out of the main entry so a plain backtest never pays for
// them; they take an exchange the caller built and never import ccxt themselves.
export * from './sources/ccxt-exchange.js';
export * from './sources/ccxt-history.js';
export * from './sources/ccxt-live.js';
export * from './sources/retry.js';
export * from './sources/gap-rule.js';
