import { Observable, type OperatorFunction } from 'rxjs';
import type { LaneState, LaneStep } from '../core/lane.js';
import type { FlowGate } from '../sources/flow-gate.js';

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

/**
 * Runs steps through stages in order. Synchronous stages cost one call each; when a stage answers with a
 * {@link Resume}, later steps wait in a queue (in arrival order, across all lanes, so results never depend on how
 * long a strategy took) and are processed when it resumes.
 */
export class StageRunner {
  private queue: LaneStep[] = [];
  private head = 0;
  private waiting = false;
  private ended = false;
  private stopped = false;
  private holding = false;
  private readonly stagesOf: (step: LaneStep) => readonly LaneStage[];

  constructor(
    stages: readonly LaneStage[] | ((step: LaneStep) => readonly LaneStage[]),
    private readonly emit: (step: LaneStep) => void,
    private readonly onDrained: () => void,
    private readonly gate?: FlowGate,
  ) {
    this.stagesOf = typeof stages === 'function' ? stages : () => stages;
  }

  stop(): void {
    this.stopped = true;
    this.letGo();
  }

  push(step: LaneStep): void {
    if (this.waiting) this.queue.push(step);
    else this.run(step, 0);
  }

  /** The source completed: `onDrained` runs once every queued step went through. */
  end(): void {
    this.ended = true;
    if (!this.waiting) this.onDrained();
  }

  get busy(): boolean {
    return this.waiting;
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
        wait.then(() => this.resume(step, i + 1));
        return false;
      }
    }
    this.emit(step);
    return true;
  }

  private resume(step: LaneStep, from: number): void {
    if (this.stopped) return;
    this.waiting = false;
    if (!this.run(step, from)) return;
    while (this.head < this.queue.length) {
      const next = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as LaneStep;
      if (this.stopped || !this.run(next, 0)) return;
    }
    this.queue = [];
    this.head = 0;
    // Release only once the queue is drained: a gated source resumes after the lanes caught up.
    this.letGo();
    if (this.ended) this.onDrained();
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
      const runner = new StageRunner(
        stages,
        (step) => subscriber.next(step),
        () => subscriber.complete(),
      );
      const subscription = source.subscribe({
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
