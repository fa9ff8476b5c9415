import type { EquityTracker } from '../core/equity.js';
import { riskEvent, type ClosedEvent, type EventOf } from '../core/events.js';
import { addEvent, type LaneStep } from '../core/lane.js';
import type { Signal } from '../core/signal.js';
import { runStages, type LaneStage } from '../engine/stage.js';
import type { OperatorFunction } from 'rxjs';
import type { ActivationCheck } from './activate-scheduled.js';
import type { PendingVerdict, Verdict } from './verdict.js';

/*
 * The run's account (SEMANTICS §12) wired into the lanes as four small stages around one EquityTracker shared by every
 * lane: the candle marks its symbol's open positions, an entry or activation takes its stake out of free cash (or is
 * rejected through the risk gate with `insufficient balance`), and `opened` / `closed` events learn their stake and
 * profit. The tracker sees candles and `closed` events only from here; it opens positions itself, never from events.
 */

/** First stage of every lane step: the candle's close marks the account (nothing allocated). */
export function accountMarkStage(tracker: EquityTracker): LaneStage {
  const accountMark: LaneStage = (step) => {
    // A final step re-presents the lane's last bar, which may be older than the account's clock.
    if (step.final) return;
    const bar = step.bar;
    tracker.mark(bar.symbol, bar.candle.timestamp, bar.now, bar.candle.close);
  };
  return accountMark;
}

/**
 * Gives `opened` events their stake and settles `closed` ones (stake and money profit): run right after the
 * take-profit / stop-loss stage, so a lane that closes and re-enters at one candle frees its stake first, and again
 * after the entry.
 */
export function accountSettleStage(tracker: EquityTracker): LaneStage {
  const accountSettle: LaneStage = (step) => {
    const events = step.events;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.action === 'opened') {
        if (event.stake === undefined) attachStake(tracker, event);
      } else if (event.action === 'closed' && event.stake === undefined) {
        settleClosed(tracker, step, event);
      } else if (event.action === 'partial_closed' && event.stake === undefined) {
        const part = tracker.partialClose({ now: event.now, symbol: event.symbol, strategy: event.strategy, signalId: event.signal.id }, event.fraction, event.pnlPercentage);
        if (part.held) (event.stake = part.stake), (event.profit = part.profit);
      }
    }
  };
  return accountSettle;
}

function attachStake(tracker: EquityTracker, event: EventOf<'opened'>): void {
  const held = tracker.state.positions.get(`${event.strategy}|${event.symbol}`);
  if (held !== undefined && held.signalId === event.signal.id) event.stake = held.stake;
}

function settleClosed(tracker: EquityTracker, step: LaneStep, event: ClosedEvent): void {
  // closeAtEnd settles every lane at its own last bar; the account's clock may be past it (a longer symbol).
  const now = step.final ? Math.max(event.now, tracker.clock) : event.now;
  const result = tracker.close({ now, symbol: event.symbol, strategy: event.strategy, signalId: event.signal.id }, event.pnl.pnlPercentage);
  if (!result.held) return;
  event.stake = result.stake;
  event.profit = result.profit;
}

/** Funds a signal at `now`, or gives the rejection's reason after adding the `risk` event to the step. */
function fund(tracker: EquityTracker, step: LaneStep, signal: Signal): string | null {
  const { lane, bar } = step;
  const result = tracker.open({
    now: bar.now,
    symbol: lane.symbol,
    strategy: lane.strategy,
    signalId: signal.id,
    position: signal.position,
    priceOpen: signal.priceOpen,
    priceStopLoss: signal.priceStopLoss,
    ...(signal.leverage === undefined ? {} : { leverage: signal.leverage }),
  });
  if (result.accepted) return null;
  addEvent(step, riskEvent(lane, signal, bar.now, result.reason));
  return result.reason;
}

/**
 * The last gate before the entry: a market entry takes its stake out of free cash, or is rejected with a `risk` event
 * (`insufficient balance`) and the lane stays idle. A limit entry is funded at activation ({@link accountActivation}).
 */
export function accountEntryStage(tracker: EquityTracker): LaneStage {
  const accountEntry: LaneStage = (step) => {
    const proposal = step.proposal;
    if (proposal === null || proposal.entry !== 'market') return;
    if (fund(tracker, step, proposal.signal) !== null) step.proposal = null;
  };
  return accountEntry;
}

/**
 * The activation check with the account after `inner` (the risk gate's, if any): once the other checks allow, the
 * stake is taken out of free cash, or the activation is rejected (`risk` event, then `cancelled` with reason `risk`).
 */
export function accountActivation(tracker: EquityTracker, inner?: ActivationCheck): ActivationCheck {
  return (step, signal) => {
    const verdict: Verdict = inner === undefined ? null : inner(step, signal);
    if (verdict === null) return fund(tracker, step, signal);
    if (typeof verdict === 'string') return verdict;
    return new FundAfter(verdict, () => fund(tracker, step, signal));
  };
}

/** A pending verdict of the other checks, followed by the account's once they allow. */
class FundAfter implements PendingVerdict {
  private funded: string | null = null;
  private settled = false;

  constructor(
    private readonly inner: PendingVerdict,
    private readonly funding: () => string | null,
  ) {}

  get reason(): string | null {
    return this.inner.reason ?? this.funded;
  }

  then(resume: () => void): void {
    this.inner.then(() => {
      if (!this.settled) {
        this.settled = true;
        if (this.inner.reason === null) this.funded = this.funding();
      }
      resume();
    });
  }

  cancel(): void {
    this.inner.cancel?.();
  }
}

/** The lane options the account needs; `laneStages` places each list. */
export interface AccountLaneSlots {
  readonly before?: readonly LaneStage[];
  readonly monitored?: readonly LaneStage[];
  readonly gates?: readonly LaneStage[];
  readonly after?: readonly LaneStage[];
  readonly activation?: ActivationCheck;
}

/**
 * Lane options with the run's account wired in: every candle marks it, every market entry and activation is funded
 * from it (the last gate, after the risk gate and a user's own), and `opened` / `closed` events carry their stake and
 * profit before anything after the entry (the checkpoint) sees them. `LaneSet` applies it to every run.
 */
export function withAccount<O extends AccountLaneSlots>(lanes: O, tracker: EquityTracker): O {
  const settle = accountSettleStage(tracker);
  return {
    ...lanes,
    before: [accountMarkStage(tracker), ...(lanes.before ?? [])],
    monitored: [settle, ...(lanes.monitored ?? [])],
    gates: [...(lanes.gates ?? []), accountEntryStage(tracker)],
    after: [settle, ...(lanes.after ?? [])],
    activation: accountActivation(tracker, lanes.activation),
  };
}

/**
 * The account's stages as operators, for a lane chain composed by hand: `accountMark` first, `accountSettle` after
 * `monitorSignal` and again after `enterSignal`, `accountEntry` just before `enterSignal`, and
 * `activateScheduled(config, { activation: accountActivation(tracker) })`.
 *
 * @example
 * ```ts
 * const tracker = new EquityTracker({ money: config, config }, () => {});
 * bars$.pipe(openLane({ strategy: s.name }), accountMark(tracker), activateScheduled(config, { activation: accountActivation(tracker) }),
 *   monitorSignal(config), accountSettle(tracker), partialMilestones(config), askStrategy(s, config),
 *   accountEntry(tracker), enterSignal(), accountSettle(tracker), laneEvents())
 * ```
 */
export function accountMark(tracker: EquityTracker): OperatorFunction<LaneStep, LaneStep> {
  return runStages(accountMarkStage(tracker));
}

export function accountSettle(tracker: EquityTracker): OperatorFunction<LaneStep, LaneStep> {
  return runStages(accountSettleStage(tracker));
}

export function accountEntry(tracker: EquityTracker): OperatorFunction<LaneStep, LaneStep> {
  return runStages(accountEntryStage(tracker));
}
