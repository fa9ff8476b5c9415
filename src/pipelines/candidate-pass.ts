import type { Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import { FlowGate } from '../core/flow-gate.js';
import { intervalMs } from '../core/intervals.js';
import { StatisticsAccumulator, type BacktestStatistics } from '../core/stats.js';
import type { Strategy } from '../core/strategy.js';
import { BarBook } from '../engine/bar-book.js';
import { checkLaneKeys, LaneSet, type LaneOutput } from '../engine/lane-set.js';
import { isCandleSource, type CandleConsumer } from '../sources/candle-source.js';
import { ownAccounts } from './own-accounts.js';
import { riskLanes } from './risk-lanes.js';
import { windowRun, type TimeRange } from './timerange.js';

/** What one candidate did in a run: its statistics, its closed events in order, its error events' count. */
export interface CandidateResult {
  readonly statistics: BacktestStatistics;
  readonly closed: SignalEvent[];
  readonly errors: number;
}

/**
 * One candidate's events, reduced as they come (no routing by name, no Observable hop per event), and whether the
 * candidate holds a signal anywhere: a signal lives from `scheduled` or `opened` to `closed` or `cancelled`.
 */
class CandidateTally implements LaneOutput {
  private readonly acc = new StatisticsAccumulator();
  private readonly closedEvents: SignalEvent[] = [];
  private errors = 0;
  /** Ids of the candidate's live signals (scheduled or open), on any symbol. */
  readonly live = new Set<string>();

  constructor(private readonly pass: CandidatePass) {}

  next(event: SignalEvent): void {
    this.acc.add(event);
    switch (event.action) {
      case 'scheduled':
      case 'opened':
        this.live.add(event.signal.id);
        break;
      case 'closed':
        this.closedEvents.push(event);
        this.live.delete(event.signal.id);
        break;
      case 'cancelled':
        this.live.delete(event.signal.id);
        break;
      case 'error':
        this.errors++;
        break;
    }
  }

  error(err: unknown): void {
    this.pass.fail(err);
  }

  complete(): void {
    this.pass.completed();
  }

  /** The consumer stopped (LaneSet reads it after every step): only when the pass failed. */
  get closed(): boolean {
    return this.pass.failed;
  }

  result(): CandidateResult {
    return { statistics: this.acc.result(), closed: this.closedEvents, errors: this.errors };
  }
}

/**
 * Several candidates over one read of the source, each exactly as its lone backtest (RESEARCH §3): each candidate
 * has its own {@link LaneSet} (one strategy: its stages are fixed, found by no lookup per step), its own account and
 * tally, and all are fed the bars of one {@link BarBook} (one parse, validation, history and VWAP per symbol).
 *
 * A candidate with no live signal, nothing waiting and a bar off its strategy's grid is not stepped at all: each of
 * its stages would do nothing there (no signal to activate, monitor or settle; no ask off the grid; no proposal to
 * gate or enter), and its account holds only cash, which a mark does not change. Its account then records fewer
 * instants, but a study reads a candidate's events, never its account's statistics, and the events (stakes included)
 * are those of its lone run. Candidates naming risk profiles are always stepped (a risk gate sees every bar).
 */
class CandidatePass implements CandleConsumer {
  private readonly bars: BarBook;
  private readonly sets: LaneSet[];
  readonly tallies: CandidateTally[];
  /** Each candidate's grid (ms), or 0 when it must see every bar. */
  private readonly grids: Float64Array;
  private remaining: number;
  failed = false;
  private stopSource: (() => void) | null = null;

  constructor(
    candidates: readonly Strategy[],
    config: Config,
    private readonly decisionsFrom: number,
    gate: FlowGate,
    private readonly resolve: () => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.bars = new BarBook(config);
    const accountOf = ownAccounts(config);
    this.tallies = candidates.map(() => new CandidateTally(this));
    this.sets = candidates.map((c, i) => {
      const lanes = riskLanes({ account: accountOf(c.name) }, { strategies: [c], config });
      return new LaneSet([c], config, { ...lanes, mode: 'backtest', gate }, this.tallies[i]!);
    });
    this.grids = Float64Array.from(candidates, (c) => (c.risk === undefined ? intervalMs(c.interval) : 0));
    this.remaining = candidates.length;
  }

  start(source: Observable<SymbolCandle>, gate: FlowGate): void {
    if (this.sets.length === 0) {
      this.resolve();
      return;
    }
    if (isCandleSource(source)) {
      this.stopSource = source.drive(this, gate);
      return;
    }
    const subscription = source.subscribe({ next: (c) => this.next(c), error: (err: unknown) => this.error(err), complete: () => this.complete() });
    this.stopSource = () => subscription.unsubscribe();
    if (this.failed) subscription.unsubscribe();
  }

  next(c: SymbolCandle): void {
    if (this.failed) return;
    const bar = this.bars.bar(c.symbol, c.interval, c.candle);
    const sets = this.sets;
    const n = sets.length;
    let settled = true;
    if (bar.now >= this.decisionsFrom) {
      const now = bar.now;
      const grids = this.grids;
      const tallies = this.tallies;
      for (let i = 0; i < n; i++) {
        const set = sets[i]!;
        const grid = grids[i]!;
        // Off the grid: the quotient is not whole (division, as askStrategy decides it).
        if (grid !== 0 && tallies[i]!.live.size === 0 && set.settled && now / grid !== Math.floor(now / grid)) continue;
        set.push(bar);
        if (!set.settled) settled = false;
      }
    } else {
      for (let i = 0; i < n; i++) if (!sets[i]!.settled) settled = false;
    }
    // The bar object is refilled for the symbol's next candle only once no candidate's stage waits on it.
    if (settled) this.bars.recycle(bar);
  }

  error(err: unknown): void {
    this.fail(err);
  }

  complete(): void {
    for (const set of this.sets) set.end();
  }

  get closed(): boolean {
    return this.failed;
  }

  completed(): void {
    if (--this.remaining === 0 && !this.failed) this.resolve();
  }

  fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    for (const set of this.sets) set.stop();
    this.stopSource?.();
    this.reject(err);
  }
}

/**
 * Runs candidates side by side in one pass of the source over an optional decision window (RESEARCH §2) and returns
 * each one's statistics and closed events by name. A candidate's events are exactly those of a backtest of it alone
 * (its own account, the same window rules).
 *
 * @example
 * ```ts
 * const results = await runCandidates(candleFiles([...]), candidates, resolveConfig({}), { from: null, to: Date.UTC(2024, 1, 1) });
 * results.get('sma-cross[fast=5,slow=30]')!.statistics.sharpeRatio;
 * ```
 */
export async function runCandidates(
  source: Observable<SymbolCandle>,
  candidates: readonly Strategy[],
  config: Config,
  timerange: TimeRange | undefined,
): Promise<Map<string, CandidateResult>> {
  checkLaneKeys(candidates);
  const run = windowRun(source, config, timerange);
  const gate = new FlowGate();
  let pass!: CandidatePass;
  await new Promise<void>((resolve, reject) => {
    pass = new CandidatePass(candidates, run.config, run.decisionsFrom ?? -Infinity, gate, resolve, reject);
    pass.start(run.source, gate);
  });
  return new Map(candidates.map((c, i) => [c.name, pass.tallies[i]!.result()]));
}
