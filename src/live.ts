// `tickflow/live`: the live pipeline and what operates it. Kept out of the main entry with the ccxt sources it
// uses; it imports neither ccxt nor lmdb itself (the caller passes the exchange and the store).
export { live } from './pipelines/live.js';
export { LiveOptionsSchema, LiveOptionsError, type LiveOptions, type LiveStore, type StopMode } from './pipelines/live-options.js';
export { LiveMonitor, type LivePhase, type LiveStatus, type SymbolStatus } from './pipelines/live-monitor.js';
export { checkpointCut, type CheckpointCut } from './operators/checkpoint-cut.js';
export { prometheusText, PROMETHEUS_CONTENT_TYPE } from './pipelines/prometheus.js';
export { appendJsonLines } from './sinks/json-lines-file.js';
