import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { RiskPayload } from '../core/risk.js';
import type { BookedProfile, RiskBook } from '../core/risk-book.js';
import type { Signal } from '../core/signal.js';
import type { PendingVerdict, Verdict } from './verdict.js';

/** One signal of one lane to judge. */
export interface RiskRequest {
  readonly strategy: string;
  readonly symbol: string;
  readonly signal: Signal;
  readonly now: number;
  readonly currentPrice: number;
}

export interface RiskTiming {
  /** A validation that has not answered after this long rejects (the config's `signalTimeoutMs`). */
  readonly timeoutMs: number;
  /** Where the timeout runs (a TestScheduler in marble tests). */
  readonly scheduler?: SchedulerLike;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

const WAITING: unique symbol = Symbol('waiting');

/**
 * Runs the profiles of one strategy against one request, in order: each profile's position limit, then its
 * validations; the first rejection decides. Synchronous validations run in one go; an asynchronous one is awaited
 * (with the timeout) and the rest continue when it answers.
 */
class RiskEvaluation implements PendingVerdict {
  reason: string | null = null;
  private profile = 0;
  private validation = 0;
  private payload: RiskPayload | null = null;
  private done = false;
  private waiter: (() => void) | null = null;
  /** The timeout of the validation being awaited. */
  private timer: Subscription | undefined;

  constructor(
    private readonly book: RiskBook,
    private readonly profiles: readonly BookedProfile[],
    private readonly request: RiskRequest,
    private readonly timeoutMs: number,
    private readonly scheduler: SchedulerLike,
  ) {}

  then(resume: () => void): void {
    if (this.done) resume();
    else this.waiter = resume;
  }

  /** The run stopped: no timer may outlive it, and a late answer judges nothing more. */
  cancel(): void {
    this.done = true;
    this.waiter = null;
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  /** Runs until the verdict is final (true) or a validation is still thinking (false). */
  advance(): boolean {
    while (this.profile < this.profiles.length) {
      const profile = this.profiles[this.profile]!;
      if (this.payload === null) {
        const payload = this.payloadFor(profile);
        const max = profile.maxConcurrentPositions;
        if (max !== undefined && payload.activePositionCount >= max) {
          return this.finish(
            `risk profile '${profile.name}': maxConcurrentPositions ${max} reached (${payload.activePositionCount} open)`,
          );
        }
        this.payload = payload;
      }
      while (this.validation < profile.validations.length) {
        const answer = this.ask(profile);
        if (answer === WAITING) return false;
        if (answer !== null) return this.finish(answer);
        this.validation++;
      }
      this.profile++;
      this.validation = 0;
      this.payload = null;
    }
    return this.finish(null);
  }

  /** The current validation's rejection reason, null when it allows, or WAITING while it thinks. */
  private ask(profile: BookedProfile): string | null | typeof WAITING {
    const { validate } = profile.validations[this.validation]!;
    let result: unknown;
    try {
      result = validate(this.payload!);
    } catch (err) {
      return this.thrown(profile, err, 'threw');
    }
    if (!isThenable(result)) return result === false ? this.refused(profile) : null;
    let answer: string | null | typeof WAITING = WAITING;
    let waiting = false;
    const settle = (reason: string | null) => {
      if (answer !== WAITING) return;
      answer = reason;
      timer?.unsubscribe();
      if (waiting && !this.done) this.continueWith(reason);
    };
    let timer: Subscription | undefined;
    try {
      result.then(
        (value) => settle(value === false ? this.refused(profile) : null),
        (err: unknown) => settle(this.thrown(profile, err, 'rejected')),
      );
    } catch (err) {
      settle(this.thrown(profile, err, 'threw'));
    }
    if (answer !== WAITING) return answer;
    timer = this.scheduler.schedule(() => settle(`${this.label(profile)} timed out after ${this.timeoutMs} ms`), this.timeoutMs);
    this.timer = timer;
    waiting = true;
    return WAITING;
  }

  private continueWith(reason: string | null): void {
    if (reason !== null) {
      this.finish(reason);
      return;
    }
    this.validation++;
    try {
      this.advance();
    } catch (err) {
      // Not a validation's failure (those are caught where they run): a bug; reject rather than hang the lane.
      this.finish(`risk check failed: ${err instanceof Error ? err.message : describe(err)}`);
    }
  }

  private finish(reason: string | null): true {
    if (this.done) return true;
    this.done = true;
    this.reason = reason;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
    return true;
  }

  private payloadFor(profile: BookedProfile): RiskPayload {
    const { request } = this;
    const activePositions = this.book.activePositions(profile, request.now);
    return {
      symbol: request.symbol,
      strategy: request.strategy,
      position: request.signal.position,
      priceOpen: request.signal.priceOpen,
      currentPrice: request.currentPrice,
      now: request.now,
      activePositionCount: activePositions.length,
      activePositions,
      signal: request.signal,
    };
  }

  private label(profile: BookedProfile): string {
    const { note } = profile.validations[this.validation]!;
    return `risk profile '${profile.name}': validation ${this.validation + 1}${note === undefined ? '' : ` (${note})`}`;
  }

  /** A validation said no: its note, or which one it was. */
  private refused(profile: BookedProfile): string {
    return profile.validations[this.validation]!.note ?? `${this.label(profile)} returned false`;
  }

  /** A validation threw or rejected: an Error's message is the reason; anything else is described. */
  private thrown(profile: BookedProfile, err: unknown, how: 'threw' | 'rejected'): string {
    if (err instanceof Error && err.message !== '') return err.message;
    if (err instanceof Error) return `${this.label(profile)} ${how} ${err.name} without a message`;
    return `${this.label(profile)} ${how} a non-Error value: ${describe(err)}`;
  }
}

/**
 * Judge one signal against every profile its strategy is subject to (SEMANTICS §5): `maxConcurrentPositions`
 * first, then the validations in order; the first that throws, rejects or returns `false` rejects, with its message
 * or note as the reason. A validation that throws something that is not an Error, or has not answered after
 * `timeoutMs`, rejects with a reason that says so. Returns null (allowed), the reason, or a pending verdict when a
 * validation returned a Promise.
 *
 * @example
 * ```ts
 * const verdict = checkRisk(book, { strategy: 'sma', symbol: 'ETH/BTC', signal, now, currentPrice: 0.09 }, { timeoutMs: 180_000 });
 * if (typeof verdict === 'string') console.log('rejected:', verdict);
 * ```
 */
export function checkRisk(book: RiskBook, request: RiskRequest, timing: RiskTiming): Verdict {
  const profiles = book.profilesOf(request.strategy);
  if (profiles.length === 0) return null;
  const evaluation = new RiskEvaluation(book, profiles, request, timing.timeoutMs, timing.scheduler ?? asyncScheduler);
  return evaluation.advance() ? evaluation.reason : evaluation;
}
