import { asyncScheduler, type SchedulerLike, type Unsubscribable } from 'rxjs';
import type { Config } from '../core/config.js';
import { EquityTracker } from '../core/equity.js';
import { resolveMoneyConfig } from '../core/money-config.js';
import { withAccount } from '../operators/account-gate.js';
import type { SignalEvent } from '../core/events.js';
import type { Bar, Lane, LaneStep } from '../core/lane.js';
import type { Strategy } from '../core/strategy.js';
import { LaneBook } from './lane-book.js';
import { laneStages, type IndependentLanes, type LaneOptions } from './lane-stages.js';
import { StageRunner, type LaneStage } from './stage.js';

/** Where a {@link LaneSet} sends its events: a subscriber, or anything that stands in for one. */
export interface LaneOutput {
  next(event: SignalEvent): void;
  error(err: unknown): void;
  complete(): void;
  /** Read after every step's events: a consumer that stopped (`take(n)`) ends the run. */
  readonly closed: boolean;
}

/** Lane keys are (strategy, symbol): two strategies of one name would share lanes. */
export function checkLaneKeys(strategies: readonly Strategy[]): void {
  const names = new Set<string>();
  for (const s of strategies) {
    if (names.has(s.name)) throw new Error(`two strategies are named '${s.name}': lane keys must be unique`);
    names.add(s.name);
  }
}

/**
 * The lanes of several strategies (one per strategy × symbol) behind one queue: each bar is handed to every
 * strategy's lane in the order the strategies were given, so the order of everything is fixed by the data, never by
 * how long an async strategy took. The body of {@link runLanes}, usable without an operator around it.
 *
 * With `independent` (live) each lane has its own queue instead: a strategy that is thinking holds back only its own
 * lane, never another lane's activation or take-profit / stop-loss checks. The rule for answers:
 * - an answer that arrives before the next candle reaches the node leaves nothing queued: the events are a backtest's
 *   of the same candles, every candle's before the next candle's; only within one candle do the lanes of different
 *   strategies come in the order their strategies answered rather than the order they were given;
 * - a later answer is still taken at the candle it was asked for (its price, its `now`) and the lane catches up through
 *   its queued candles in order, so that lane's own events are still a backtest's; only their interleaving with other
 *   lanes' events, and portfolio risk judged across lanes (which sees the other lanes as far as they got), follow the
 *   order the answers came in;
 * - a lane queueing more than `maxQueued` candles, or a node whose source ended `stopGraceMs` ago, abandons the ask
 *   (an `error` event; no signal) and the lane catches up at once; `signalTimeoutMs` bounds every ask anyway.
 */
export class LaneSet {
  private readonly books: LaneBook[];
  private readonly runner: StageRunner;
  private readonly finals: StageRunner;
  private readonly independent: IndependentLanes | undefined;
  private readonly waiting: ((step: LaneStep) => void) | undefined;
  /** Independent lanes: each lane's own runner. */
  private readonly runners = new Map<Lane, StageRunner>();
  private readonly stagesOf: readonly LaneStage[] | ((step: LaneStep) => readonly LaneStage[]);
  private readonly emit: (step: LaneStep) => void;
  private readonly fail: (err: unknown) => void;
  private readonly scheduler: SchedulerLike;
  /** Independent lanes after end(): runners not yet drained. */
  private undrained = 0;
  private grace: Unsubscribable | null = null;
  /** The run's accounts: one shared by every lane, or one per strategy. */
  private readonly accounts: readonly EquityTracker[];

  constructor(
    strategies: readonly Strategy[],
    private readonly config: Config,
    options: LaneOptions,
    private readonly out: LaneOutput,
  ) {
    const given = options.account;
    const shared = typeof given === 'function' ? null : (given ?? runAccount(config, options.independent !== undefined));
    const accounts = strategies.map((s) => shared ?? (given as (strategy: string) => EquityTracker)(s.name));
    this.accounts = [...new Set(accounts)];
    this.books = strategies.map(
      (strategy) =>
        new LaneBook({
          strategy: strategy.name,
          restore: options.restore && ((sym) => options.restore!(strategy.name, sym)),
          barrierPerLane: options.independent !== undefined,
        }),
    );
    this.independent = options.independent;
    this.scheduler = options.scheduler ?? asyncScheduler;
    const stages = strategies.map((strategy, i) => laneStages(strategy, config, withAccount(options, accounts[i]!)));
    const byName = new Map(stages.map((s, i) => [strategies[i]!.name, s]));
    const stagesOf = stages.length === 1 ? stages[0]! : (step: LaneStep) => byName.get(step.lane.strategy)!;
    const emit = (step: LaneStep) => {
      const events = step.events;
      for (let i = 0; i < events.length; i++) out.next(events[i]!);
      // A synchronous source is still inside subscribe() when a consumer unsubscribes (take(n)), before any teardown
      // exists: stop here, or the rest of history runs through the stages (and checkpoints) unseen.
      if (out.closed) this.stop();
    };
    // A stage that throws (a checkpoint that could not be written) ends the run with that error: nothing after it
    // may be released as if the state were safe.
    const fail = (err: unknown) => {
      this.stop();
      out.error(err);
    };
    // Final steps are built only once every queued step went through, so they see the lanes' last state.
    this.stagesOf = stagesOf;
    this.emit = emit;
    this.fail = fail;
    const complete = () => {
      // The statistics go out before the run completes; a failing account ends the run with its error.
      try {
        for (const account of this.accounts) account.finish();
      } catch (err) {
        out.error(err);
        return;
      }
      out.complete();
    };
    this.finals = new StageRunner(stagesOf, emit, complete, options.gate, fail, options.waiting);
    this.runner = new StageRunner(stagesOf, emit, () => this.settle(), options.gate, fail, options.waiting);
    this.waiting = options.waiting;
    const independent = options.independent;
    // Replaced on the instance, not branched on in push(): a backtest's per-candle call stays as it is.
    if (independent !== undefined) this.push = (bar) => this.pushEach(bar, independent.maxQueued);
  }

  /** Hands the bar to every strategy's lane of its symbol. */
  push(bar: Bar): void {
    const books = this.books;
    const runner = this.runner;
    for (let i = 0; i < books.length; i++) {
      const book = books[i]!;
      const step = book.step(bar);
      if (step === null) continue;
      runner.push(step);
      // Nothing waits and nothing is queued: the step is done with, its lane's next step may reuse it.
      if (!runner.busy) book.recycle(step);
    }
  }

  /** Every bar pushed so far went through all its stages: no step (hence no bar) is held by a waiting stage. */
  get settled(): boolean {
    // Read after every candle of a backtest: one queue, no iteration.
    if (this.independent === undefined) return !this.runner.busy;
    for (const runner of this.runners.values()) if (runner.busy) return false;
    return true;
  }

  /** End of data: once every queued step went through, settle (`closeAtEnd`) and complete. */
  end(): void {
    if (this.independent === undefined) {
      this.runner.end();
      return;
    }
    const runners = [...this.runners.values()];
    this.undrained = runners.length + 1;
    for (const runner of runners) runner.end();
    const grace = this.independent.stopGraceMs;
    if (this.undrained > 1) this.grace = this.scheduler.schedule(() => this.abandonAll(`the node is stopping (grace ${grace} ms)`), grace);
    this.laneDrained();
  }

  /**
   * Independent lanes only: drops every lane of the symbol, with whatever its steps were waiting for or had queued
   * (nothing more of them is emitted); a later bar of the symbol restores its lanes afresh (`restore`). For a live
   * node whose symbol moved to another node: the new owner re-runs what was not checkpointed here.
   */
  forget(symbol: string): void {
    if (this.independent === undefined) throw new Error('LaneSet.forget: only independent lanes can drop a symbol');
    for (const book of this.books) {
      const lane = book.forget(symbol);
      if (lane === undefined) continue;
      const runner = this.runners.get(lane);
      if (runner === undefined) continue;
      this.runners.delete(lane);
      runner.stop();
    }
  }

  stop(): void {
    this.grace?.unsubscribe();
    this.grace = null;
    this.runner.stop();
    for (const runner of this.runners.values()) runner.stop();
    this.finals.stop();
  }

  private pushEach(bar: Bar, maxQueued: number): void {
    const books = this.books;
    for (let i = 0; i < books.length; i++) {
      const book = books[i]!;
      const step = book.step(bar);
      if (step === null) continue;
      const runner = this.runnerOf(step.lane);
      runner.push(step);
      if (!runner.busy) book.recycle(step);
      else if (runner.queued > maxQueued) runner.abandon(`more than ${maxQueued} candles of ${step.lane.symbol} queued behind it (maxQueued)`);
    }
  }

  private runnerOf(lane: Lane): StageRunner {
    let runner = this.runners.get(lane);
    if (runner === undefined) {
      runner = new StageRunner(this.stagesOf, this.emit, () => this.laneDrained(), undefined, this.fail, this.waiting);
      this.runners.set(lane, runner);
    }
    return runner;
  }

  private laneDrained(): void {
    if (--this.undrained > 0) return;
    this.grace?.unsubscribe();
    this.grace = null;
    this.settle();
  }

  /** Abandons every wait, and every wait a catching-up lane starts, until all lanes are through. */
  private abandonAll(reason: string): void {
    this.grace = null;
    let abandoned = true;
    while (abandoned) {
      abandoned = false;
      for (const runner of this.runners.values()) if (runner.abandon(reason)) abandoned = true;
    }
  }

  private settle(): void {
    if (this.config.closeAtEnd) for (const book of this.books) for (const step of book.finalSteps()) this.finals.push(step);
    this.finals.end();
  }
}

/** The account a run gets from its config (SEMANTICS §12 defaults: balance 10 000, 10 % of equity per stake). */
function runAccount(config: Config, live: boolean): EquityTracker {
  const money = resolveMoneyConfig({ balance: config.balance, stake: config.stake }, 'config');
  // Live lanes answer in their own time: an item older than the account's clock counts at that clock.
  return new EquityTracker({ money, config, curve: false, late: live ? 'clamp' : 'throw' }, ignore);
}

function ignore(): void {}
