import { describe, expect, it } from 'vitest';
import type { LaneStep } from '../../src/core/lane.js';
import { FlowGate } from '../../src/core/flow-gate.js';
import { StageRunner, type LaneStage, type Resume } from '../../src/engine/stage.js';

// The engine's stage runner on its own: ordering, waiting, holding histories and the gate, stopping, abandoning and
// failing. Steps are plain objects with just what the runner reads (the bar's history, the lane's barrier).

interface FakeHistory {
  holds: number;
  hold(): void;
  release(): void;
}

function history(): FakeHistory {
  return {
    holds: 0,
    hold() {
      this.holds++;
    },
    release() {
      this.holds--;
    },
  };
}

const nameOf = (s: LaneStep): string => (s as unknown as { name: string }).name;

function step(name: string, h: FakeHistory = history()): LaneStep & { name: string } {
  return { name, bar: { history: h } as never, lane: {} as never, proposal: null, transitioned: false, final: false, events: [] } as never;
}

/** A Resume the test settles by hand. */
class Manual implements Resume {
  private resume: (() => void) | null = null;
  cancelled = false;
  abandoned: string | null = null;
  then(resume: () => void): void {
    this.resume = resume;
  }
  settle(): void {
    const r = this.resume;
    this.resume = null;
    r?.();
  }
  cancel(): void {
    this.cancelled = true;
  }
  abandon(reason: string): void {
    this.abandoned = reason;
    this.settle();
  }
}

function recorder() {
  const log: string[] = [];
  const stage =
    (label: string): LaneStage =>
    (s) => {
      log.push(`${label}:${nameOf(s)}`);
    };
  return { log, stage };
}

describe('StageRunner', () => {
  it('runs each step through the stages in order and emits it once; drained after the end', () => {
    const { log, stage } = recorder();
    const emitted: string[] = [];
    let drained = 0;
    const runner = new StageRunner([stage('a'), stage('b')], (s) => emitted.push(nameOf(s)), () => drained++);
    runner.push(step('1'));
    runner.push(step('2'));
    expect(log).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
    expect(emitted).toEqual(['1', '2']);
    expect(drained).toBe(0);
    runner.end();
    expect(drained).toBe(1);
  });

  it('a waiting stage queues later steps in arrival order, holds their histories and the gate, and resumes at the next stage', () => {
    const { log, stage } = recorder();
    const wait = new Manual();
    const waitOnFirst: LaneStage = (s) => (nameOf(s) === '1' ? wait : undefined);
    const emitted: string[] = [];
    const gate = new FlowGate();
    // Five stages or more take the unrolled path: the wait is at position 3 and the step resumes at position 4.
    const stages = [stage('a'), stage('b'), stage('c'), waitOnFirst, stage('d'), stage('e')];
    const runner = new StageRunner(stages, (s) => emitted.push(nameOf(s)), () => undefined, gate);
    const h1 = history();
    const h2 = history();
    runner.push(step('1', h1));
    runner.push(step('2', h2));
    runner.push(step('3', h1));
    expect(log).toEqual(['a:1', 'b:1', 'c:1']);
    expect(emitted).toEqual([]);
    expect(runner.busy).toBe(true);
    expect(runner.queued).toBe(2);
    expect(gate.blocked).toBe(true);
    expect([h1.holds, h2.holds]).toEqual([1, 1]);

    wait.settle();
    expect(log).toEqual(['a:1', 'b:1', 'c:1', 'd:1', 'e:1', 'a:2', 'b:2', 'c:2', 'd:2', 'e:2', 'a:3', 'b:3', 'c:3', 'd:3', 'e:3']);
    expect(emitted).toEqual(['1', '2', '3']);
    expect(runner.busy).toBe(false);
    expect(gate.blocked).toBe(false);
    expect([h1.holds, h2.holds]).toEqual([0, 0]);
  });

  it('end while a step waits: drained only once the queue went through', () => {
    const wait = new Manual();
    let drained = 0;
    const runner = new StageRunner([(s) => (nameOf(s) === '1' ? wait : undefined)], () => undefined, () => drained++);
    runner.push(step('1'));
    runner.push(step('2'));
    runner.end();
    expect(drained).toBe(0);
    wait.settle();
    expect(drained).toBe(1);
  });

  it('stop cancels the wait, releases the gate and the histories, and runs nothing more', () => {
    const wait = new Manual();
    const { log, stage } = recorder();
    const gate = new FlowGate();
    const h = history();
    const emitted: string[] = [];
    const runner = new StageRunner([(s) => (nameOf(s) === '1' ? wait : undefined), stage('after')], (s) => emitted.push(nameOf(s)), () => undefined, gate);
    runner.push(step('1', h));
    runner.push(step('2', h));
    runner.stop();
    expect(wait.cancelled).toBe(true);
    expect(gate.blocked).toBe(false);
    expect(h.holds).toBe(0);
    wait.settle();
    runner.push(step('3', h));
    expect(log).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('abandon gives up the wait: the step and the ones behind it go on at once', () => {
    const wait = new Manual();
    const { log, stage } = recorder();
    const runner = new StageRunner([(s) => (nameOf(s) === '1' ? wait : undefined), stage('after')], () => undefined, () => undefined);
    expect(runner.abandon('nothing waits')).toBe(false);
    runner.push(step('1'));
    runner.push(step('2'));
    expect(runner.abandon('queue full')).toBe(true);
    expect(wait.abandoned).toBe('queue full');
    expect(log).toEqual(['after:1', 'after:2']);
    expect(runner.busy).toBe(false);
  });

  it('a stage that throws stops the runner and reports the error once; later steps are not run', () => {
    const errors: unknown[] = [];
    const { log, stage } = recorder();
    const boom: LaneStage = (s) => {
      if (nameOf(s) === '2') throw new Error('checkpoint failed');
    };
    const runner = new StageRunner([boom, stage('after')], () => undefined, () => undefined, undefined, (err) => errors.push(err));
    runner.push(step('1'));
    runner.push(step('2'));
    runner.push(step('3'));
    expect(log).toEqual(['after:1']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['checkpoint failed']);
  });

  it('per-step stage lists (several strategies in one runner) are asked for each step', () => {
    const { log, stage } = recorder();
    const byName = (s: LaneStep) => (nameOf(s).startsWith('x') ? [stage('x')] : [stage('y'), stage('z')]);
    const runner = new StageRunner(byName, () => undefined, () => undefined);
    runner.push(step('x1'));
    runner.push(step('y1'));
    expect(log).toEqual(['x:x1', 'y:y1', 'z:y1']);
  });
});
