import { concat, defer, type Observable, type SchedulerLike } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import { resolveConfig, type Config, type ConfigInput } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { EquityTracker, type AccountOutput, type EquitySnapshot } from '../core/equity.js';
import type { Strategy } from '../core/strategy.js';
import type { RiskProfile } from '../core/risk.js';
import { redeliver, restoreFrom } from '../operators/checkpoint.js';
import { checkpointCut } from '../operators/checkpoint-cut.js';
import { checkLaneKeys } from '../engine/lane-set.js';
import type { LaneOptions } from '../engine/lane-stages.js';
import type { StageProfiler } from '../operators/profiler.js';
import { FlowGate } from '../core/flow-gate.js';
import type { CheckpointStore } from '../store/types.js';
import { riskLanes } from './risk-lanes.js';
import { driveLanes } from '../engine/drive-lanes.js';
import { windowRun, type TimeRangeInput } from './timerange.js';

export interface BacktestOptions {
  /** Closed candles of one or more symbols in time order (a tickflow source, or any Observable of them). */
  readonly source: Observable<SymbolCandle>;
  readonly strategies: Strategy | readonly Strategy[];
  /** Any subset of the config keys; defaults fill the rest. */
  readonly config?: ConfigInput | Config;
  /** Emit a `progress` event every this many candles, and a `done` event at the end. */
  readonly progressEvery?: number;
  /** Where strategy timeouts run (a TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
  /**
   * Risk profiles (SEMANTICS §5), judged at every new signal and at scheduled activation, across all symbols and
   * strategies of the run: a strategy is subject to the profiles it names (`strategy.risk`), or to all of them when it
   * names none. A fresh risk book is made for every subscription.
   */
  readonly risk?: RiskProfile | readonly RiskProfile[];
  /** Extra lane stages (checkpoint, restore, a user's own gates): see {@link LaneOptions}. */
  readonly lanes?: Omit<LaneOptions, 'mode' | 'scheduler' | 'gate'>;
  /**
   * Checkpoint every lane transition to this store and resume from it (SEMANTICS §11): an interrupted backtest
   * re-run with the same store and source re-delivers the events of each lane's last checkpoint, skips what it
   * already processed and continues. A store directory belongs to one run (same source and strategies).
   */
  readonly store?: CheckpointStore;
  /**
   * Backpressure shared with what comes after the pipeline: pass the same gate to a sink (e.g. `toKafka`) and the
   * source waits while the sink's buffer is full. Default: a gate private to the run.
   */
  readonly gate?: FlowGate;
  /** Times every lane stage (e.g. a `PerformanceRecorder`); absent, nothing is wrapped or timed. */
  readonly profiler?: StageProfiler;
  /** Decide only at `from ≤ now < to` (RESEARCH §2): warm-up before, no candle closing at or after `to`, trades closed at the end. */
  readonly timerange?: TimeRangeInput;
  /**
   * The run's account (SEMANTICS §12: the config's `balance` and `stake`, one account for every lane): sees each
   * stake taken (`opened`), refused (`rejected`) and returned (`closed`), an `equity` point after every instant (or
   * the last of each `accountEveryMs` bucket) and, as the run completes, the portfolio statistics (`stats`). The
   * account exists without it (stakes, `insufficient balance` rejections, `stake` / `profit` on events); this only
   * lets the caller watch it.
   */
  readonly onAccount?: (output: AccountOutput) => void;
  /** Downsample the `equity` points given to `onAccount` to the last of every bucket of this many ms (0: every instant). */
  readonly accountEveryMs?: number;
}

/**
 * Backtests strategies over historical candles: one lane per symbol × strategy, the SEMANTICS lifecycle, the same
 * operators as live. Nothing runs until subscribed; unsubscribing stops the run.
 *
 * @example
 * ```ts
 * import { backtest, replayCandles, statistics } from 'tickflow';
 *
 * backtest({ source: replayCandles({ 'ETH/BTC': candles }), strategies: [myStrategy] })
 *   .pipe(statistics())
 *   .subscribe((stats) => console.log(stats.sharpeRatio));
 * ```
 */
export function backtest(options: BacktestOptions): Observable<SignalEvent> {
  const { store } = options;
  if (store === undefined) return run(options);
  const names = strategiesOf(options).map((s) => s.name);
  return concat(
    redeliver(store, names),
    defer(() => {
      // A consistent cut of every lane per transition (not one lane at a time): lanes coupled by a portfolio-wide
      // risk gate then resume from the same instant and see each other exactly as in an uninterrupted run.
      const account = accountOf(options, resolveConfig(options.config as ConfigInput), store.readAccount?.());
      const cut = checkpointCut(store, {
        outbox: (strategy, symbol) => store.readCheckpoint(strategy, symbol)?.events,
        account: () => account.snapshot(),
      });
      const lanes = {
        ...options.lanes,
        account,
        restore: options.lanes?.restore ?? restoreFrom(store),
        after: [...(options.lanes?.after ?? []), cut.stage],
      };
      return run({ ...options, lanes });
    }),
  );
}

function strategiesOf(options: BacktestOptions): readonly Strategy[] {
  return Array.isArray(options.strategies) ? (options.strategies as readonly Strategy[]) : [options.strategies as Strategy];
}

function run(options: BacktestOptions): Observable<SignalEvent> {
  return defer(() => {
    const { source, config, decisionsFrom } = windowRun(options.source, options.config, options.timerange);
    const strategies = strategiesOf(options);
    const gate = options.gate ?? new FlowGate();
    const laneOptions = riskLanes(options.lanes ?? {}, { risk: options.risk, strategies, config, scheduler: options.scheduler, store: options.store });
    checkLaneKeys(strategies);
    const tracker = options.lanes?.account ?? accountOf(options, config);
    const lanes: LaneOptions = {
      ...laneOptions,
      account: tracker,
      mode: 'backtest',
      scheduler: options.scheduler,
      gate,
      profiler: options.profiler ?? laneOptions.profiler,
    };
    return driveLanes(source, { strategies, config, lanes, gate, progressEvery: options.progressEvery, decisionsFrom });
  });
}

function ignore(): void {}

/** The run's account (restored from a checkpoint's snapshot when given), watched by `onAccount`. */
function accountOf(options: BacktestOptions, config: Config, snapshot?: EquitySnapshot): EquityTracker {
  const onAccount = options.onAccount;
  return new EquityTracker(
    {
      money: config,
      config,
      everyMs: options.accountEveryMs ?? 0,
      curve: onAccount !== undefined,
      // A lane whose checkpoint was lost replays from its start, behind the restored account's clock: its items count
      // at that clock rather than failing the run (the account then double-counts that lane's replayed stakes).
      late: snapshot === undefined ? 'throw' : 'clamp',
    },
    onAccount ?? ignore,
    snapshot,
  );
}
