import type { Config } from '../core/config.js';
import type { SignalEvent } from '../core/events.js';
import type { Bar, LaneStep } from '../core/lane.js';
import type { Strategy } from '../core/strategy.js';
import { LaneBook } from './lane-book.js';
import { laneStages, type LaneOptions } from './lane-stages.js';
import { StageRunner } from './stage.js';

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
 */
export class LaneSet {
  private readonly books: LaneBook[];
  private readonly runner: StageRunner;
  private readonly finals: StageRunner;

  constructor(
    strategies: readonly Strategy[],
    private readonly config: Config,
    options: LaneOptions,
    private readonly out: LaneOutput,
  ) {
    this.books = strategies.map(
      (strategy) =>
        new LaneBook({ strategy: strategy.name, restore: options.restore && ((sym) => options.restore!(strategy.name, sym)) }),
    );
    const stages = strategies.map((strategy) => laneStages(strategy, config, options));
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
    this.finals = new StageRunner(stagesOf, emit, () => out.complete(), options.gate, fail);
    this.runner = new StageRunner(stagesOf, emit, () => this.settle(), options.gate, fail);
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
    return !this.runner.busy;
  }

  /** End of data: once every queued step went through, settle (`closeAtEnd`) and complete. */
  end(): void {
    this.runner.end();
  }

  stop(): void {
    this.runner.stop();
    this.finals.stop();
  }

  private settle(): void {
    if (this.config.closeAtEnd) for (const book of this.books) for (const step of book.finalSteps()) this.finals.push(step);
    this.finals.end();
  }
}
