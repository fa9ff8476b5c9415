import { map, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import type { ConfigInput } from '../../src/core/config.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { ManageResult } from '../../src/core/manage-actions.js';
import type { Signal } from '../../src/core/signal.js';
import type { ManageContext, Strategy } from '../../src/core/strategy.js';
import { computePnl } from '../../src/core/pnl.js';
import { liquidationPrice } from '../../src/core/liquidation.js';
import { activateScheduled } from '../../src/operators/activate-scheduled.js';
import { averagePrice } from '../../src/operators/average-price.js';
import { laneEvents } from '../../src/operators/lane-events.js';
import { managePosition } from '../../src/operators/manage-position.js';
import { monitorSignal } from '../../src/operators/monitor-signal.js';
import { openLane } from '../../src/operators/open-lane.js';
import { partialMilestones } from '../../src/operators/partial-milestones.js';
import { candle, eventLabel, marbleCandles, minuteOf, minutes } from '../../src/testing.js';
import { config, holding, longSignal, shortSignal, testScheduler } from './helpers.js';
import type { SchedulerLike } from 'rxjs';

// Open since 00:01 at 100; long TP 120 / SL 95, short TP 80 / SL 105; 100 minutes to live.
const long = (o: Partial<Signal> = {}) => longSignal({ pendingAt: minutes(1), priceTakeProfit: 120, minuteEstimatedTime: 100, ...o });
const short = (o: Partial<Signal> = {}) => shortSignal({ pendingAt: minutes(1), priceTakeProfit: 80, minuteEstimatedTime: 100, ...o });
const trail = (distancePercent: number, activationPercent = 0) => ({ trailingStop: { distancePercent, activationPercent } });

const r6 = (x: number) => Number(x.toFixed(6));

/** `stop_moved:trailing 95>104.76@3`, `closed:trailing_stop 104.76@4`, `partial_closed:50 110@3`, else eventLabel. */
function label(e: SignalEvent): string {
  const at = `@${minuteOf(e.now)}`;
  switch (e.action) {
    case 'stop_moved':
    case 'take_moved':
      return `${e.action}:${e.cause} ${r6(e.oldPrice)}>${r6(e.newPrice)}${at}`;
    case 'closed':
      return `closed:${e.closeReason} ${r6(e.pnl.priceClose)}${at}`;
    case 'partial_closed':
      return `partial_closed:${e.percent} ${r6(e.price)}${at}`;
    case 'error':
      return `error${at} ${e.message}`;
    default:
      return eventLabel(e);
  }
}

function managing(name: string, manage?: Strategy['manage']): Strategy {
  return { name, interval: '1m', getSignal: () => null, ...(manage ? { manage } : {}) };
}

interface Run {
  readonly strategy?: Strategy | null;
  readonly overrides?: ConfigInput;
  readonly scheduler?: SchedulerLike;
  readonly scheduled?: boolean;
}

/** The lane's stages from the monitor on, holding `signal`; the current price is the last candle's typical price. */
function lane(source: Observable<SymbolCandle>, signal: Signal, run: Run = {}): Observable<SignalEvent> {
  const cfg = config({ avgPriceCandles: 1, partialLevels: [], ...run.overrides });
  const strategy = run.strategy ?? managing('s');
  return source.pipe(
    averagePrice({ avgPriceCandles: 1 }),
    openLane({ strategy: strategy.name, restore: holding(signal) }),
    activateScheduled(cfg),
    monitorSignal(cfg),
    partialMilestones(cfg),
    managePosition(strategy, cfg, { scheduler: run.scheduler }),
    laneEvents(),
  );
}

/** Flat-bodied candles from minute 1 on, given (high, low) each; open and close at the mid. */
function bars(...hl: readonly (readonly [number, number])[]) {
  const out: Record<string, ReturnType<typeof candle>> = {};
  hl.forEach(([h, l], i) => {
    const mid = (h + l) / 2;
    out[String.fromCharCode(97 + i)] = candle(1 + i, mid, h, l, mid);
  });
  return out;
}

describe('managePosition: trailing stop', () => {
  it('a candle whose high raises the trail and whose low would hit it does not close; the next candle does (long)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', bars([108, 104.5], [106, 104.7]));
      expectObservable(lane(source, long(trail(3))).pipe(map(label))).toBe('ab|', {
        a: 'stop_moved:trailing 95>104.76@2',
        b: 'closed:trailing_stop 104.76@3',
      });
    });
  });

  it('the short mirror: a low lowers the trail, the high of the same candle does not close', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', bars([95.5, 93], [96, 94]));
      expectObservable(lane(source, short(trail(3))).pipe(map(label))).toBe('ab|', {
        a: 'stop_moved:trailing 105>95.79@2',
        b: 'closed:trailing_stop 95.79@3',
      });
    });
  });

  it('activation: the trail starts once the peak reaches priceOpen · (1 + activation/100), long and short', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const up = marbleCandles(cold, 'abc|', bars([104.9, 100], [105, 101], [104, 103]));
      expectObservable(lane(up, long(trail(2, 5))).pipe(map(label))).toBe('-b-|', { b: 'stop_moved:trailing 95>102.9@3' });
      const down = marbleCandles(cold, 'abc|', bars([100, 95.1], [99, 95], [96.5, 96]));
      expectObservable(lane(down, short(trail(2, 5))).pipe(map(label))).toBe('-b-|', { b: 'stop_moved:trailing 105>96.9@3' });
    });
  });

  it('at most one stop_moved per candle, after the candle\'s partial-milestone events', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'a---|', bars([112, 109]));
      const events = lane(source, long(trail(3)), { overrides: { partialLevels: [50] } }).pipe(map(label));
      expectObservable(events).toBe('(ab)|', { a: 'partial_profit:50@2', b: 'stop_moved:trailing 95>108.64@2' });
    });
  });

  it('a gap across the expiry closes time_expired at the current price, even below a moved stop', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Expires at 00:11; the candle after the gap opens at 00:20 with a low under the trailing stop.
      const source = marbleCandles(cold, 'ab|', { a: candle(1, 104, 108, 104, 104), b: candle(20, 101, 102, 100, 101) });
      const signal = long({ ...trail(3), minuteEstimatedTime: 10 });
      expectObservable(lane(source, signal).pipe(map(label))).toBe('ab|', {
        a: 'stop_moved:trailing 95>104.76@2',
        b: 'closed:time_expired 101@21',
      });
    });
  });
});

describe('managePosition: breakeven', () => {
  it('breakeven first, then a trailing stop overtaking it, then the stop-out (long)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abc|', bars([101, 100], [106, 103], [104, 102]));
      expectObservable(lane(source, long({ breakeven: true, ...trail(3, 5) })).pipe(map(label))).toBe('abc|', {
        a: 'stop_moved:breakeven 95>100.400601@2',
        b: 'stop_moved:trailing 100.400601>102.82@3',
        c: 'closed:trailing_stop 102.82@4',
      });
    });
  });

  it('the short mirror', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'abc|', bars([100, 99], [97, 94], [98, 96]));
      expectObservable(lane(source, short({ breakeven: true, ...trail(3, 5) })).pipe(map(label))).toBe('abc|', {
        a: 'stop_moved:breakeven 105>99.600599@2',
        b: 'stop_moved:trailing 99.600599>96.82@3',
        c: 'closed:trailing_stop 96.82@4',
      });
    });
  });

  it('a breakeven exit loses nothing', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = marbleCandles(cold, 'ab|', bars([100.7, 100.5], [100.5, 100.3]));
      const pnl = lane(source, long({ breakeven: true })).pipe(map((e) => (e.action === 'closed' ? `${e.closeReason} ${r6(e.pnl.pnlPercentage)}` : e.action)));
      expectObservable(pnl).toBe('ab|', { a: 'stop_moved', b: 'trailing_stop 0' });
    });
  });
});

describe('managePosition: leverage and liquidation', () => {
  const liq = (position: 'long' | 'short') => liquidationPrice(position, 100, 10, config());

  it.each([
    ['long', 'stop nearer the entry acts', long({ leverage: 10, liquidationPrice: liq('long'), priceStopLoss: 92 }), [93, 85], 'closed:stop_loss 92@2'],
    ['long', 'a stop beyond the liquidation price never acts', long({ leverage: 10, liquidationPrice: liq('long'), priceStopLoss: 85 }), [93, 84], `closed:liquidated ${r6(liq('long'))}@2`],
    ['short', 'stop nearer the entry acts', short({ leverage: 10, liquidationPrice: liq('short'), priceStopLoss: 108 }), [115, 107], 'closed:stop_loss 108@2'],
    ['short', 'a stop beyond the liquidation price never acts', short({ leverage: 10, liquidationPrice: liq('short'), priceStopLoss: 115 }), [116, 107], `closed:liquidated ${r6(liq('short'))}@2`],
  ] as const)('%s: one candle through both, %s', (_, __, signal, hl, expected) => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(lane(marbleCandles(cold, 'a|', bars(hl)), signal).pipe(map(label))).toBe('a|', { a: expected });
    });
  });

  it('a liquidation loses leverage · maintenance margin − 100 % of the margin', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const signal = long({ leverage: 10, liquidationPrice: liq('long'), priceStopLoss: 85 });
      const pnl = lane(marbleCandles(cold, 'a|', bars([93, 84])), signal).pipe(map((e) => e.action === 'closed' && r6(e.pnl.pnlPercentage)));
      expectObservable(pnl).toBe('a|', { a: -95 });
    });
  });
});

describe('managePosition: manage(ctx)', () => {
  it('a partial close, then a stop-out: the closed event carries the parts and the weighted total (long and short)', () => {
    for (const [signal, hl, stop] of [
      [long(), [[110.5, 109.5], [104, 94]], 95],
      [short(), [[90.5, 89.5], [106, 96]], 105],
    ] as const) {
      testScheduler().run(({ cold, expectObservable }) => {
        const strategy = managing('s', ({ position }) => (position.remaining === 1 ? { action: 'partial-close', percent: 50 } : null));
        const source = marbleCandles(cold, 'ab|', bars(...hl));
        const events = lane(source, signal, { strategy });
        const price = (hl[0][0] + hl[0][1]) / 2;
        const half = computePnl(signal.position, 100, price, config()).pnlPercentage;
        const rest = computePnl(signal.position, 100, stop, config()).pnlPercentage;
        expectObservable(events.pipe(map(label))).toBe('ab|', { a: `partial_closed:50 ${price}@2`, b: `closed:stop_loss ${stop}@3` });
        expectObservable(events.pipe(map((e) => (e.action === 'closed' ? { pnl: r6(e.pnl.pnlPercentage), parts: e.parts?.map((p) => [p.fraction, p.price]) } : e.action === 'partial_closed' ? [e.fraction, e.remaining] : e.action)))).toBe('ab|', {
          a: [0.5, 0.5],
          b: { pnl: r6(0.5 * half + 0.5 * rest), parts: [[0.5, price], [0.5, stop]] },
        });
      });
    }
  });

  it('a list with one invalid action applies nothing: an error event names it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const strategy = managing('s', () => [{ action: 'partial-close', percent: 50 }, { action: 'move-stop', price: 90 }]);
      const source = marbleCandles(cold, 'ab|', bars([103, 101], [96, 94.5]));
      expectObservable(lane(source, long(), { strategy }).pipe(map(label))).toBe('ab|', {
        a: 'error@2 strategy \'s\' on TEST at 1970-01-01T00:02:00.000Z: invalid manage actions (none applied): actions[1]: move-stop 90 must be above the effective stop 95 (a stop only tightens)',
        b: 'closed:stop_loss 95@3',
      });
    });
  });

  it('move-stop and move-take: one stop_moved and one take_moved; a moved stop that is hit closes trailing_stop', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      let asked = 0;
      const strategy = managing('s', () => (asked++ === 0 ? [{ action: 'move-stop', price: 99 }, { action: 'move-stop', price: 100 }, { action: 'move-take', price: 110 }] : null));
      const source = marbleCandles(cold, 'a----b|', bars([103, 101], [102, 99.5]));
      expectObservable(lane(source, long(), { strategy }).pipe(map(label))).toBe('(ab)-c|', {
        a: 'stop_moved:manage 95>100@2',
        b: 'take_moved:manage 120>110@2',
        c: 'closed:trailing_stop 100@3',
      });
    });
  });

  it('the trail and manage moving the stop at one candle give one stop_moved, with the cause that sets it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const strategy = managing('s', ({ position }) => (position.stop < 106 ? { action: 'move-stop', price: 106 } : null));
      const source = marbleCandles(cold, 'a|', bars([108, 107]));
      expectObservable(lane(source, long(trail(3)), { strategy }).pipe(map(label))).toBe('a|', { a: 'stop_moved:manage 95>106@2' });
    });
  });

  it('close gives a manual close at the current price; ctx.position tells the stop, take, peak and pnl', () => {
    const seen: unknown[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const strategy = managing('s', (ctx: ManageContext) => {
        const { position } = ctx;
        seen.push({ now: minuteOf(ctx.now), price: ctx.price, stop: r6(position.stop), cause: position.stopCause, take: position.take, peak: position.peak, remaining: position.remaining, pnl: r6(position.pnlPercentage) });
        return ctx.now === minutes(3) ? { action: 'close' } : null;
      });
      const source = marbleCandles(cold, 'ab|', bars([104, 102], [103, 101]));
      expectObservable(lane(source, long(trail(3)), { strategy }).pipe(map(label))).toBe('ab|', {
        a: 'stop_moved:trailing 95>100.88@2',
        b: 'closed:manual 102@3',
      });
    });
    expect(seen).toEqual([
      { now: 2, price: 103, stop: 100.88, cause: 'trailing', take: 120, peak: 104, remaining: 1, pnl: r6(computePnl('long', 100, 103, config()).pnlPercentage) },
      { now: 3, price: 102, stop: 100.88, cause: 'trailing', take: 120, peak: 104, remaining: 1, pnl: r6(computePnl('long', 100, 102, config()).pnlPercentage) },
    ]);
  });

  it('never at the instant the signal was activated, and only at the strategy\'s grid instants', () => {
    const asked: number[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const strategy: Strategy = { name: 's', interval: '3m', getSignal: () => null, manage: (ctx) => void asked.push(minuteOf(ctx.now)) };
      // Scheduled at 00:01 on priceOpen 100; the 00:02 candle reaches it: activated at 00:03 (on the 3m grid).
      const scheduled = longSignal({ priceTakeProfit: 120, minuteEstimatedTime: 100 });
      const source = marbleCandles(cold, 'abcdefg|', {
        a: candle(1, 101, 101.5, 100.5, 101),
        b: candle(2, 101, 101, 99.5, 100.5),
        c: candle(3, 101),
        d: candle(4, 101),
        e: candle(5, 101),
        f: candle(6, 101),
        g: candle(7, 101),
      });
      expectObservable(lane(source, scheduled, { strategy }).pipe(map(label))).toBe('-a-----|', { a: 'opened@3' });
    });
    expect(asked).toEqual([6]);
  });

  it('async manage: the answer is applied when it comes; a timeout is an error event and changes nothing', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // A thenable answering `ms` frames later in virtual time (a Promise would answer outside the scheduler).
      const later = (value: ManageResult, ms: number) =>
        ({ then: (resolve: (v: ManageResult) => void) => void cold(`${'-'.repeat(ms)}a|`, { a: value }).subscribe((v) => resolve(v)) }) as unknown as PromiseLike<ManageResult>;
      const strategy = managing('s', (ctx) => (ctx.now === minutes(2) ? later({ action: 'partial-close', percent: 25 }, 5) : later({ action: 'close' }, 10_000)));
      const source = marbleCandles(cold, 'ab|', bars([103, 101], [103, 101]));
      const events = lane(source, long(), { strategy, overrides: { signalTimeoutMs: 1000 } });
      expectObservable(events.pipe(map(label))).toBe('5ms a 999ms (b|)', {
        a: 'partial_closed:25 102@2',
        b: 'error@3 strategy \'s\' on TEST at 1970-01-01T00:03:00.000Z: manage timed out after 1000 ms',
      });
    });
  });
});
