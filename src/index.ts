// Public API: re-exports only.
export * from './core/intervals.js';
export * from './core/candle.js';
export * from './core/config.js';
export * from './core/pnl.js';
export * from './core/vwap.js';
export * from './core/history.js';
export * from './core/signal.js';
export * from './core/events.js';
export * from './core/lifecycle.js';
export * from './core/lane.js';
export * from './core/strategy.js';
export * from './core/stats.js';
export * from './core/format.js';
export * from './core/time.js';

export * from './sources/pull.js';
export * from './sources/flow-gate.js';
export * from './sources/candle-source.js';
export * from './sources/normalize.js';
export * from './sources/merge.js';
export * from './sources/replay.js';

export * from './operators/stage.js';
export * from './operators/lane-book.js';
export * from './operators/average-price.js';
export * from './operators/open-lane.js';
export * from './operators/activate-scheduled.js';
export * from './operators/monitor-signal.js';
export * from './operators/partial-milestones.js';
export * from './operators/ask-strategy.js';
export * from './operators/enter-signal.js';
export * from './operators/lane-events.js';
export * from './operators/run-lane.js';

export * from './pipelines/backtest.js';
export * from './sources/files.js';
export * from './sources/synthetic.js';

export * from './core/schedule-stats.js';
export * from './operators/statistics.js';
export * from './sinks/json-lines.js';
export * from './sinks/reports/summary.js';
export * from './sinks/reports/markdown.js';
export * from './sinks/reports/json.js';
export * from './sinks/reports/write.js';
export * from './core/step-barrier.js';
export * from './operators/checkpoint.js';
export * from './store/types.js';
