// `tickflow/live`: the live pipeline and what operates it. Kept out of the main entry with the ccxt sources it
// uses; it imports neither ccxt nor lmdb itself (the caller passes the exchange and the store).
export * from './pipelines/live.js';
export * from './pipelines/live-options.js';
export * from './pipelines/live-monitor.js';
export * from './pipelines/live-resume.js';
export { sourceErrorEvent, cacheErrorEvent, cacheLiveCandles, warmupCandles, pollCandles, type LiveCandlesOptions } from './pipelines/live-candles.js';
export * from './operators/checkpoint-cut.js';
export * from './sinks/prometheus.js';
export * from './sinks/json-lines-file.js';
