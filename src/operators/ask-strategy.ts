import { asyncScheduler, type OperatorFunction, type SchedulerLike, type Unsubscribable } from 'rxjs';
import type { Config } from '../core/config.js';
import { errorEvent } from '../core/events.js';
import { formatPrice, formatQuantity } from '../core/format.js';
import { intervalMs } from '../core/intervals.js';
import { addEvent, laneState, type Bar, type LaneStep } from '../core/lane.js';
import type { Candle } from '../core/candle.js';
import type { Interval } from '../core/intervals.js';
import { proposeSignal } from '../core/signal.js';
import { paramsOf, type Mode, type SignalResult, type Strategy, type StrategyContext } from '../core/strategy.js';
import type { ParamAssignment } from '../core/param-space.js';
import { isoTime } from '../core/time.js';
import { IndicatorReader, NO_INDICATORS, type IndicatorValues } from '../indicators/reader.js';
import { runStages, type LaneStage, type Resume } from '../engine/stage.js';

export interface AskStrategyOptions {
  readonly mode?: Mode;
  /** Where the timeout timer runs (a TestScheduler in marble tests). */
  readonly scheduler?: SchedulerLike;
  /**
   * Stop asking at this step (a live node shutting down keeps monitoring but opens nothing new: it pauses the steps
   * of candles read after the stop request).
   */
  readonly paused?: (step: LaneStep) => boolean;
}

export type AskStrategyConfig = Pick<
  Config,
  | 'signalTimeoutMs'
  | 'feePercent'
  | 'slippagePercent'
  | 'minTakeProfitDistancePercent'
  | 'minStopLossDistancePercent'
  | 'maxStopLossDistancePercent'
  | 'maxSignalLifetimeMinutes'
>;

/** What a strategy threw, as text (reading it may throw too). */
export function describe(err: unknown): string {
  // Whatever was thrown is the strategy's value: reading it may throw too, and must not end the run.
  try {
    if (err instanceof Error) return err.message || err.name;
    return `non-Error value thrown: ${JSON.stringify(err)}`;
  } catch {
    try {
      return `non-Error value thrown: ${String(err)}`;
    } catch {
      return 'a value that cannot be printed was thrown';
    }
  }
}

export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * One ask's wait: the first of answer, rejection and timeout claims it, then fires it, which resumes the step
 * synchronously (keeps virtual time and arrival order exact). Cancelled when the run stops first.
 */
export class Latch implements Resume {
  private resume: (() => void) | null = null;
  private claimed = false;
  private fired = false;
  /** The timeout timer, released as soon as the wait is claimed or cancelled. */
  timer: Unsubscribable | null = null;
  /** Claims the wait with an `error` event saying why it was given up, and fires it. */
  giveUp: ((reason: string) => void) | null = null;

  /** Whether this outcome is the first (and so the one that counts). */
  claim(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    this.timer?.unsubscribe();
    this.timer = null;
    return true;
  }

  get settled(): boolean {
    return this.claimed;
  }

  then(resume: () => void): void {
    if (this.fired) resume();
    else this.resume = resume;
  }

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    this.resume?.();
  }

  /** The answer is no longer awaited (see {@link Resume.abandon}); a later answer changes nothing. */
  abandon(reason: string): void {
    this.giveUp?.(reason);
  }

  /** Nobody waits any more: no timer may keep the process alive, and a late answer changes nothing. */
  cancel(): void {
    this.claim();
    this.fired = true;
    this.resume = null;
  }
}

/**
 * What the strategy sees. A class, because an object literal with a getter is built on V8's slow path (it was a third
 * of the lane's time); `candles` is an own arrow function and the other members need no `this`, so destructuring
 * (`({ candles, price }) => …`) works. The Date is built only if read.
 */
export class LaneContext implements StrategyContext {
  readonly symbol: string;
  readonly now: number;
  readonly candles: (interval: Interval, limit: number) => Candle[];

  constructor(
    bar: Bar,
    readonly price: number,
    readonly mode: Mode,
    readonly params: ParamAssignment,
    readonly indicators: IndicatorValues,
  ) {
    const { history, now } = bar;
    this.symbol = bar.symbol;
    this.now = now;
    this.candles = (interval, limit) => history.candles(interval, limit, now);
  }

  get date(): Date {
    return new Date(this.now);
  }

  formatPrice(price: number): string {
    return formatPrice(price);
  }

  formatQuantity(quantity: number): string {
    return formatQuantity(quantity);
  }
}

/** `now` is on the interval grid. Division, not `%`: a float modulo of epoch-ms values is a slow library call, and
 * for integers below 2^53 the quotient is an exact integer exactly when `every` divides `now`. */
export function onGrid(now: number, every: number): boolean {
  const q = now / every;
  return q === Math.floor(q);
}

/** The stage behind {@link askStrategy}. */
export function askStrategyStage(strategy: Strategy, config: AskStrategyConfig & Config, options: AskStrategyOptions = {}): LaneStage {
  const everyMs = intervalMs(strategy.interval);
  const mode = options.mode ?? 'backtest';
  const params = paramsOf(strategy);
  const indicators = IndicatorReader.of(strategy, params);
  const scheduler = options.scheduler ?? asyncScheduler;
  const where = (step: LaneStep) => `strategy '${strategy.name}' on ${step.lane.symbol} at ${isoTime(step.bar.now)}`;

  const accept = (step: LaneStep, result: SignalResult, price: number) => {
    if (result === null || result === undefined) return;
    let proposal: ReturnType<typeof proposeSignal>;
    try {
      proposal = proposeSignal(result, {
        strategy: strategy.name,
        symbol: step.lane.symbol,
        now: step.bar.now,
        price,
        config,
      });
    } catch (err) {
      // Reading the answer ran the strategy's code (a getter, a proxy): its failure is the strategy's, not the run's.
      addEvent(step, errorEvent(step.lane, step.bar.now, `${where(step)}: reading the signal threw: ${describe(err)}`));
      return;
    }
    if ('problems' in proposal) {
      addEvent(step, errorEvent(step.lane, step.bar.now, `${where(step)}: invalid signal: ${proposal.problems.join('; ')}`));
    } else {
      step.proposal = proposal;
    }
  };

  const ask = (step: LaneStep, price: number): void | Resume => {
    const { lane, bar } = step;
    if (options.paused?.(step)) return;
    lane.state = laneState(null, lane.state.partials, bar.now);
    let result: SignalResult | PromiseLike<SignalResult>;
    let thenable: boolean;
    try {
      result = strategy.getSignal(new LaneContext(bar, price, mode, params, indicators === null ? NO_INDICATORS : indicators.read(bar)));
      thenable = isThenable(result);
    } catch (err) {
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: getSignal threw: ${describe(err)}`));
      return;
    }
    if (!thenable) {
      accept(step, result as SignalResult, price);
      return;
    }
    const latch = new Latch();
    const rejected = (err: unknown) => {
      if (!latch.claim()) return;
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: getSignal rejected: ${describe(err)}`));
      latch.fire();
    };
    latch.giveUp = (reason) => {
      if (!latch.claim()) return;
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: getSignal abandoned: ${reason}`));
      latch.fire();
    };
    latch.timer = scheduler.schedule(() => {
      if (!latch.claim()) return;
      addEvent(step, errorEvent(lane, bar.now, `${where(step)}: getSignal timed out after ${config.signalTimeoutMs} ms`));
      latch.fire();
    }, config.signalTimeoutMs);
    try {
      (result as PromiseLike<SignalResult>).then((value) => {
        if (!latch.claim()) return;
        // A node that began stopping while the strategy thought opens nothing new for a candle read after the request.
        if (options.paused?.(step)) {
          addEvent(step, errorEvent(lane, bar.now, `${where(step)}: getSignal answered after the node began stopping: no new signal`));
        } else {
          // accept() reports its own failures: nothing thrown here may become an unhandled rejection.
          accept(step, value, price);
        }
        latch.fire();
      }, rejected);
    } catch (err) {
      // A thenable whose `then` throws answered nothing.
      rejected(err);
    }
    // A thenable that answered synchronously needs no waiting.
    return latch.settled ? undefined : latch;
  };

  // Most candles end at this check: kept small so it can be inlined into the lane's loop; the asking is out of line.
  return (step) => {
    const { lane, bar } = step;
    const price = bar.price;
    if (lane.state.signal !== null || step.final || price === null) return;
    if (!onGrid(bar.now, everyMs) || lane.state.lastAskedAt === bar.now) return;
    return ask(step, price);
  };
}

/**
 * Asks the strategy for a signal when the lane is idle and `now` is on the strategy's clock-aligned interval grid
 * (SEMANTICS §3). Sync and async `getSignal` are both supported; only a call that actually returned a Promise is
 * awaited. A throw, a rejection, a timeout or an invalid signal becomes an `error` event and the lane stays idle.
 * A valid signal is left as the step's `proposal` for the risk gate and {@link enterSignal}.
 *
 * @example
 * ```ts
 * steps$.pipe(askStrategy(myStrategy, resolveConfig()), enterSignal(), laneEvents())
 * ```
 */
export function askStrategy(
  strategy: Strategy,
  config: Config,
  options?: AskStrategyOptions,
): OperatorFunction<LaneStep, LaneStep> {
  return runStages(askStrategyStage(strategy, config, options));
}
