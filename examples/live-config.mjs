// A live node's config module: `tickflow live --config examples/live-config.mjs`.
//
// It trades nothing real: the exchange is ccxt's `binance` pointed at a local stand-in (start it first with
// `node examples/local-exchange.mjs --speed 60`, or set EXCHANGE_URL). To use Binance itself, delete the two
// lines marked "local".
import ccxt from 'ccxt';
import smaCross from './sma-cross.mjs';

const url = process.env.EXCHANGE_URL ?? 'http://127.0.0.1:8999';

export const exchange = new ccxt.binance({
  enableRateLimit: true,
  // Spot markets only: one exchangeInfo request instead of spot, USDⓈ-M and COIN-M.
  options: { fetchMarkets: { types: ['spot'] } },
});
// local: every REST base URL of the exchange, pointed at the stand-in.
for (const key of Object.keys(exchange.urls.api)) exchange.urls.api[key] = exchange.urls.api[key].replace(/^https:\/\/[^/]+/, url);

export const symbols = ['BTC/USDT', 'ETH/USDT'];
export const interval = '1m';
export const strategies = [smaCross];

/** At most two positions open at once, over both symbols. */
export const risk = [{ name: 'portfolio', maxConcurrentPositions: 2 }];

/** LMDB directory: lane checkpoints and the candle cache (relative to where the node is started). */
export const store = './live-state';

/** Any subset of the engine config keys (SEMANTICS). */
export const config = { feePercent: 0.1, slippagePercent: 0.1, historyCandles: 1_440 };

/** How often to ask for newly closed candles (ms). With a sped-up local exchange, poll often. */
export const pollMs = 1_000;

// Sinks: operators the events go through before --events writes them, e.g. Kafka:
//   import { toKafka } from 'tickflow/kafka';
//   export const sinks = [toKafka({ brokers: '127.0.0.1:9092', topic: 'signals' })];
