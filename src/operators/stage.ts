import { Observable, type OperatorFunction } from 'rxjs';
import type { LaneState, LaneStep } from '../core/lane.js';
import type { StepBarrier } from '../core/step-barrier.js';
import type { FlowGate } from '../sources/flow-gate.js';
import { forward } from './forward.js';

/**
 * Resumes a step whose stage is waiting for something asynchronous (a Promise-returning strategy). A plain callback
 * rather than a Promise so virtual time (marble tests) and synchronous sources keep their order exactly.
 */
export interface Resume {
  then(resume: () => void): void;
}

/** One job on a lane's step: reads the bar and the lane, may make one transition, appends events. */
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
  private readonly stagesOf: (step: LaneStep) => readonly LaneStage[];

  constructor(
    stages: readonly LaneStage[] | ((step: LaneStep) => readonly LaneStage[]),
    private readonly emit: (step: LaneStep) => void,
    private readonly onDrained: () => void,
    private readonly gate?: FlowGate,
    /** A stage threw (a checkpoint that could not be written, a bug in a gate): the runner stops and reports it. */
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
  ) {
    this.stagesOf = typeof stages === 'function' ? stages : () => stages;
  }

  stop(): void {
    this.stopped = true;
    this.letGo();
  }

  push(step: LaneStep): void {
    // After unsubscription a source may still be mid-way through one bar's lanes: run nothing more for them.
    if (this.stopped) return;
    if (this.waiting || this.head < this.queue.length) {
      this.queue.push(step);
      return;
    }
    const barrier = blockingBarrier(step);
    if (barrier !== undefined) {
      this.queue.push(step);
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

  private run(step: LaneStep, from: number): boolean {
    const stages = this.stagesOf(step);
    for (let i = from; i < stages.length; i++) {
      const wait = stages[i]!(step);
      if (wait !== undefined) {
        this.waiting = true;
        if (!this.holding) {
          this.holding = true;
          this.gate?.hold();
        }
        const barrier = step.lane.barrier;
        barrier?.hold(step);
        wait.then(() => this.resume(step, i + 1, barrier));
        return false;
      }
    }
    this.emit(step);
    return true;
  }

  private resume(step: LaneStep, from: number, barrier: StepBarrier | undefined): void {
    if (this.stopped) return;
    this.waiting = false;
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
    // Release only once the queue is drained: a gated source resumes after the lanes caught up.
    this.letGo();
    if (this.ended) this.finish();
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
