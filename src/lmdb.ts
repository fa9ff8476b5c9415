// `tickflow/lmdb`: the LMDB store. Kept out of the main entry so a plain backtest never loads lmdb.
export * from './store/lmdb-store.js';
export * from './store/types.js';
export * from './store/ranges.js';
export {
  CHECKPOINT_VERSION,
  CANDLE_VERSION,
  RANGE_VERSION,
  QUARANTINE_VERSION,
  CheckpointRecordSchema,
  LaneStateRecordSchema,
  CandleRecordSchema,
  RangeRecordSchema,
  QuarantineRecordSchema,
  type LaneCheckpoint,
  type QuarantineRecord,
} from './store/records.js';
export { CandleStore, CandleStoreError, CandleStoreOptionsSchema, type CandleStoreOptions, type SeriesKey } from './store/candle-store.js';
export { summarizeSeries, type SeriesSummary } from './store/candle-store-summary.js';
export { storeCandles, StoreCandlesOptionsSchema, type StoreCandlesOptions, type StorePlan } from './sources/store-source.js';
