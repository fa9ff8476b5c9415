import { SampleAccumulator, type SampleSummary } from '../core/sample-stats.js';
import type { LaneStage } from '../engine/stage.js';

/**
 * Times lane stages. Given to `laneStages` / `runLanes` / `backtest` as `profiler`; when it is absent the stages
 * are used as they are (no wrapper, no clock read), so profiling costs nothing unless asked for.
 */
export interface StageProfiler {
  /** `stage` timed under `name`; called once per stage when the lanes are built, never per candle. */
  wrap(name: string, stage: LaneStage): LaneStage;
}

/** Timing of one stage, in milliseconds (the unit of the recorder's clock). */
export interface StageTiming extends SampleSummary {
  readonly stage: string;
}

/** What a {@link PerformanceRecorder} measured. Measurements, not results: they differ from run to run. */
export interface PerformanceReport {
  /** In the order the stages were first wrapped: the lane's lifecycle order. */
  readonly stages: readonly StageTiming[];
  /** Samples kept per stage for the percentiles (exact below this many calls). */
  readonly reservoirSize: number;
}

export interface PerformanceRecorderOptions {
  /** Milliseconds from any origin. Default `performance.now()`. */
  readonly clock?: () => number;
  /** Samples kept per stage for the percentiles. Default 4096 (32 KiB per stage). */
  readonly reservoirSize?: number;
}

/**
 * Records how long each lane stage takes per call: count, mean, min, max, standard deviation and p50/p95/p99, in
 * bounded memory (see {@link SampleAccumulator}). An explicit object: pass it to the run, read it afterwards. The
 * timings never enter the event stream. A stage that waits for an asynchronous strategy is timed up to the moment
 * it hands back its `Resume` (the synchronous part); the clock reads themselves are included in each sample (tens
 * of nanoseconds).
 *
 * @example
 * ```ts
 * const profiler = new PerformanceRecorder();
 * await lastValueFrom(backtest({ source, strategies, profiler }).pipe(summarize()));
 * console.log(performanceMarkdownReport(profiler.report()));
 * ```
 */
export class PerformanceRecorder implements StageProfiler {
  private readonly timings = new Map<string, SampleAccumulator>();
  private readonly clock: () => number;
  private readonly reservoirSize: number;

  constructor(options: PerformanceRecorderOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this.reservoirSize = options.reservoirSize ?? 4096;
  }

  wrap(name: string, stage: LaneStage): LaneStage {
    const acc = this.accumulator(name);
    const clock = this.clock;
    return (step) => {
      const start = clock();
      const wait = stage(step);
      acc.add(clock() - start);
      return wait;
    };
  }

  /** Add one measurement by hand (e.g. a phase outside the lanes). */
  record(name: string, milliseconds: number): void {
    this.accumulator(name).add(milliseconds);
  }

  report(): PerformanceReport {
    return {
      stages: [...this.timings].map(([stage, acc]) => ({ stage, ...acc.result() })),
      reservoirSize: this.reservoirSize,
    };
  }

  private accumulator(name: string): SampleAccumulator {
    let acc = this.timings.get(name);
    if (acc === undefined) {
      acc = new SampleAccumulator(this.reservoirSize);
      this.timings.set(name, acc);
    }
    return acc;
  }
}

/**
 * The stages, each wrapped by the profiler under its name; the very same array contents when there is no profiler.
 *
 * @example
 * ```ts
 * profileStages([monitor, enter], ['monitorSignal', 'enterSignal'], profiler);
 * ```
 */
export function profileStages(stages: LaneStage[], names: readonly string[], profiler: StageProfiler | undefined): LaneStage[] {
  if (profiler === undefined) return stages;
  return stages.map((stage, i) => profiler.wrap(names[i] ?? (stage.name || `stage ${i + 1}`), stage));
}
