import { Observable, type OperatorFunction } from 'rxjs';
import type { CandleHistory } from '../core/history.js';
import type { LaneState, LaneStep } from '../core/lane.js';
import type { StepBarrier } from '../core/step-barrier.js';
import type { FlowGate } from '../core/flow-gate.js';
import { forward } from './forward.js';

/**
 * Resumes a step whose stage is waiting for something asynchronous (a Promise-returning strategy). A plain callback
 * rather than a Promise so virtual time (marble tests) and synchronous sources keep their order exactly.
 */
export interface Resume {
  then(resume: () => void): void;
  /** The run stopped while waiting: release what the wait holds (a timeout timer); `resume` is never called. */
  cancel?(): void;
  /**
   * Give up waiting now (a live lane's queue is full, the node is stopping): the stage records why in the step's
   * events, takes nothing from the wait (no signal is opened) and resumes the step at once.
   */
  abandon?(reason: string): void;
}

/**
 * One job on a lane's step: reads the bar and the lane, may make one transition, appends events. A stage keeps
 * neither the step nor its bar once it returned (their fields, its events, the lane may be kept): while no stage is
 * waiting, `runLanes` refills the same step object for the lane's next candle, and `backtest` the same bar too. A
 * stage that must wait returns a {@link Resume}, and then nothing is reused until the step went through.
 */
export type LaneStage = (step: LaneStep) => void | Resume;

/** Replace the lane's state and mark the step so the checkpoint stage knows a transition happened. */
export function transition(step: LaneStep, state: LaneState): void {
  step.lane.state = state;
  step.transitioned = true;
}

function blockingBarrier(step: LaneStep): StepBarrier | undefined {
  const barrier = step.lane.barrier;
  return barrier !== undefined && barrier.held && barrier.blocks(step) ? barrier : undefined;
}

/**
 * Runs steps through stages in order. Synchronous stages cost one call each; when a stage answers with a
 * {@link Resume}, later steps wait in a queue (in arrival order, across all lanes, so results never depend on how
 * long a strategy took) and are processed when it resumes. Steps also wait while an earlier step of their chain is
 * waiting in another operator's stage ({@link StepBarrier}).
 */
export class StageRunner {
  private queue: LaneStep[] = [];
  private head = 0;
  private waiting = false;
  private parked = false;
  private ended = false;
  private finished = false;
  private stopped = false;
  private holding = false;
  /** What the waiting step waits on, cancelled if the run stops first. */
  private pending: Resume | null = null;
  /** The histories of the steps waiting or queued here, held so none drops a candle those steps will read. */
  private held: CandleHistory[] = [];
  private readonly stagesOf: (step: LaneStep) => readonly LaneStage[];
  /** The stages when every step has the same: no call per step to find them. */
  private readonly fixed: readonly LaneStage[] | null;

  constructor(
    stages: readonly LaneStage[] | ((step: LaneStep) => readonly LaneStage[]),
    private readonly emit: (step: LaneStep) => void,
    private readonly onDrained: () => void,
    private readonly gate?: FlowGate,
    /** A stage threw (a checkpoint that could not be written, a bug in a gate): the runner stops and reports it. */
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
    /** A step starts waiting, its earlier stages done (a checkpoint cut records how far it got). */
    private readonly onWait?: (step: LaneStep) => void,
  ) {
    this.fixed = typeof stages === 'function' ? null : stages;
    this.stagesOf = typeof stages === 'function' ? stages : () => stages;
  }

  stop(): void {
    this.stopped = true;
    const pending = this.pending;
    this.pending = null;
    pending?.cancel?.();
    this.letGo();
    this.releaseHistories();
  }

  push(step: LaneStep): void {
    // After unsubscription a source may still be mid-way through one bar's lanes: run nothing more for them.
    if (this.stopped) return;
    if (this.waiting || this.head < this.queue.length) {
      this.enqueue(step);
      return;
    }
    const barrier = blockingBarrier(step);
    if (barrier !== undefined) {
      this.enqueue(step);
      this.park(barrier);
      return;
    }
    try {
      this.run(step, 0);
    } catch (err) {
      this.fail(err);
    }
  }

  /** The source completed: `onDrained` runs once every queued step went through. */
  end(): void {
    this.ended = true;
    if (!this.waiting && this.head >= this.queue.length) this.finish();
  }

  get busy(): boolean {
    return this.waiting || this.head < this.queue.length;
  }

  /** Steps queued behind the waiting one. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * Abandon what the waiting step waits on, if it can be abandoned ({@link Resume.abandon}): the step and the ones
   * queued behind it go on synchronously. Whether that wait ended.
   */
  abandon(reason: string): boolean {
    const pending = this.pending;
    if (this.stopped || pending === null || pending.abandon === undefined) return false;
    pending.abandon(reason);
    return this.pending !== pending;
  }

  private run(step: LaneStep, from: number): boolean {
    const stages = this.fixed ?? this.stagesOf(step);
    const n = stages.length;
    // `next` is the stage to run after the last one called: where a waiting step resumes.
    let next = from;
    let wait: void | Resume = undefined;
    if (from === 0) {
      // Unrolled: a call site per position sees one stage function (per strategy) and V8 calls it directly or inlines
      // it; the loop's single call site below sees every stage and pays a megamorphic call for each (measured at a
      // quarter of a lane's cost per candle). Ten positions: the lifecycle stages with the account's around them.
      if (n > 0) wait = stages[(next = 1) - 1]!(step);
      if (wait === undefined && n > 1) wait = stages[(next = 2) - 1]!(step);
      if (wait === undefined && n > 2) wait = stages[(next = 3) - 1]!(step);
      if (wait === undefined && n > 3) wait = stages[(next = 4) - 1]!(step);
      if (wait === undefined && n > 4) wait = stages[(next = 5) - 1]!(step);
      if (wait === undefined && n > 5) wait = stages[(next = 6) - 1]!(step);
      if (wait === undefined && n > 6) wait = stages[(next = 7) - 1]!(step);
      if (wait === undefined && n > 7) wait = stages[(next = 8) - 1]!(step);
      if (wait === undefined && n > 8) wait = stages[(next = 9) - 1]!(step);
      if (wait === undefined && n > 9) wait = stages[(next = 10) - 1]!(step);
    }
    while (wait === undefined && next < n) wait = stages[next++]!(step);
    if (wait === undefined) {
      this.emit(step);
      return true;
    }
    this.onWait?.(step);
    this.waiting = true;
    this.keepHistory(step);
    if (!this.holding) {
      this.holding = true;
      this.gate?.hold();
    }
    const barrier = step.lane.barrier;
    barrier?.hold(step);
    const resumeAt = next;
    this.pending = wait;
    wait.then(() => this.resume(step, resumeAt, barrier));
    return false;
  }

  private resume(step: LaneStep, from: number, barrier: StepBarrier | undefined): void {
    if (this.stopped) return;
    this.waiting = false;
    this.pending = null;
    let done: boolean;
    try {
      done = this.run(step, from);
    } catch (err) {
      this.fail(err);
      return;
    } finally {
      // Released only after the step went downstream: the steps behind it follow it, in order.
      barrier?.release(step);
    }
    if (done) this.drain();
  }

  private park(barrier: StepBarrier): void {
    if (this.parked) return;
    this.parked = true;
    barrier.whenReleased(() => {
      this.parked = false;
      this.drain();
    });
  }

  private drain(): void {
    try {
      while (this.head < this.queue.length) {
        if (this.stopped || this.waiting) return;
        const next = this.queue[this.head]!;
        const barrier = blockingBarrier(next);
        if (barrier !== undefined) {
          this.park(barrier);
          return;
        }
        this.queue[this.head++] = undefined as unknown as LaneStep;
        if (!this.run(next, 0)) return;
      }
    } catch (err) {
      this.fail(err);
      return;
    }
    this.queue = [];
    this.head = 0;
    // A step released by another operator's barrier may have arrived and begun waiting while the step before it went
    // downstream (re-entrantly): the queue is empty but this runner is not through.
    if (this.waiting || this.stopped) return;
    // Release only once the queue is drained: a gated source resumes after the lanes caught up.
    this.letGo();
    this.releaseHistories();
    if (this.ended) this.finish();
  }

  /**
   * A step that waits here is run later than its candle arrived: its symbol's history keeps every candle until the
   * queue is through (the step's candle is the newest in it when the step is queued, so its window is complete).
   */
  private enqueue(step: LaneStep): void {
    this.queue.push(step);
    this.keepHistory(step);
  }

  private keepHistory(step: LaneStep): void {
    const history = step.bar.history;
    if (this.held.includes(history)) return;
    history.hold();
    this.held.push(history);
  }

  private releaseHistories(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const history of held) history.release();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onDrained();
  }

  private fail(err: unknown): void {
    this.stop();
    this.onError(err);
  }

  private letGo(): void {
    if (!this.holding) return;
    this.holding = false;
    this.gate?.release();
  }
}

/** A pipeable operator from stages: the building block of every lane operator. */
export function runStages(...stages: LaneStage[]): OperatorFunction<LaneStep, LaneStep> {
  return (source) =>
    new Observable<LaneStep>((subscriber) => {
      const runner: StageRunner = new StageRunner(
        stages,
        (step) => {
          subscriber.next(step);
          // Unsubscribed while a synchronous source is still inside subscribe(): see runLanes.
          if (subscriber.closed) runner.stop();
        },
        () => subscriber.complete(),
        undefined,
        (err) => subscriber.error(err),
      );
      const subscription = forward(subscriber, source, {
        next: (step) => runner.push(step),
        error: (err) => subscriber.error(err),
        complete: () => runner.end(),
      });
      return () => {
        runner.stop();
        subscription.unsubscribe();
      };
    });
}
