import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import {
  milestoneProgress,
  newLevels,
  scheduleDeadline,
  signalExpiry,
  stepOpen,
  stepScheduled,
} from '../../src/core/lifecycle.js';
import type { Signal } from '../../src/core/signal.js';

const M = 60_000;
const bar = (minute: number, low: number, high: number): Candle => ({
  timestamp: minute * M,
  open: (low + high) / 2,
  high,
  low,
  close: (low + high) / 2,
  volume: 1,
});
const at = (minute: number) => (minute + 1) * M; // `now` after the candle of `minute` closed

const scheduleConfig = { scheduleAwaitMinutes: 120 };
// Scheduled at 00:10: window [00:10, 02:10).
const longLimit: Signal = {
  id: 'l',
  position: 'long',
  priceOpen: 100,
  priceTakeProfit: 105,
  priceStopLoss: 95,
  minuteEstimatedTime: 10,
  scheduledAt: 10 * M,
  pendingAt: null,
  note: null,
};
const shortLimit: Signal = { ...longLimit, id: 's', position: 'short', priceTakeProfit: 95, priceStopLoss: 105 };

describe('stepScheduled (SEMANTICS §4.1)', () => {
  it('the deadline is scheduledAt + scheduleAwaitMinutes', () => {
    expect(scheduleDeadline(longLimit, scheduleConfig)).toBe(130 * M);
    expect(scheduleDeadline(longLimit, { scheduleAwaitMinutes: 5 })).toBe(15 * M);
  });

  it('long: opens when the low reaches priceOpen, waits otherwise', () => {
    expect(stepScheduled(longLimit, bar(10, 100.01, 101), at(10), scheduleConfig)).toBeNull();
    expect(stepScheduled(longLimit, bar(10, 100, 101), at(10), scheduleConfig)).toEqual({ kind: 'open' });
    expect(stepScheduled(longLimit, bar(10, 96, 101), at(10), scheduleConfig)).toEqual({ kind: 'open' });
  });

  it('long: the stop-loss wins over priceOpen in the same candle', () => {
    expect(stepScheduled(longLimit, bar(11, 95, 101), at(11), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'stop_loss' });
    expect(stepScheduled(longLimit, bar(11, 90, 99), at(11), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'stop_loss' });
  });

  it('short: mirrored on the high', () => {
    expect(stepScheduled(shortLimit, bar(10, 98, 99.99), at(10), scheduleConfig)).toBeNull();
    expect(stepScheduled(shortLimit, bar(10, 98, 100), at(10), scheduleConfig)).toEqual({ kind: 'open' });
    expect(stepScheduled(shortLimit, bar(10, 98, 105), at(10), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'stop_loss' });
  });

  it('ignores candles that began before it was scheduled', () => {
    expect(stepScheduled(longLimit, bar(9, 90, 101), 10 * M, scheduleConfig)).toBeNull();
  });

  it('contiguous data: the last candle of the window is checked for activation, then it times out at the deadline', () => {
    expect(stepScheduled(longLimit, bar(128, 101, 102), at(128), scheduleConfig)).toBeNull();
    // The 02:09 candle closes at 02:10 = deadline: untouched → timeout; touched → opens.
    expect(stepScheduled(longLimit, bar(129, 101, 102), at(129), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'timeout' });
    expect(stepScheduled(longLimit, bar(129, 99, 102), at(129), scheduleConfig)).toEqual({ kind: 'open' });
  });

  it('after a gap, a candle that began at or after the deadline cancels with timeout whatever it touched', () => {
    expect(stepScheduled(longLimit, bar(130, 99, 101), at(130), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'timeout' });
    expect(stepScheduled(longLimit, bar(200, 90, 101), at(200), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'timeout' });
    expect(stepScheduled(shortLimit, bar(131, 99, 110), at(131), scheduleConfig)).toEqual({ kind: 'cancel', reason: 'timeout' });
  });

  it('a 5m candle that began inside the window still acts on it even though it closes after the deadline', () => {
    const fiveMin = { ...bar(125, 99, 101) };
    expect(stepScheduled(longLimit, fiveMin, 130 * M, scheduleConfig)).toEqual({ kind: 'open' });
    expect(stepScheduled(longLimit, { ...fiveMin, low: 100.5 }, 130 * M, scheduleConfig)).toEqual({ kind: 'cancel', reason: 'timeout' });
  });
});

// Opened at 00:00, expires at 00:10.
const longOpen: Signal = { ...longLimit, scheduledAt: 0, pendingAt: 0 };
const shortOpen: Signal = { ...shortLimit, scheduledAt: 0, pendingAt: 0 };
const slFirst = { intrabar: 'stop-loss-first' as const };
const tpFirst = { intrabar: 'take-profit-first' as const };

describe('stepOpen (SEMANTICS §4.2)', () => {
  it('expiry is pendingAt + minuteEstimatedTime', () => {
    expect(signalExpiry(longOpen)).toBe(10 * M);
    expect(signalExpiry({ ...longOpen, pendingAt: 7 * M })).toBe(17 * M);
  });

  it('long: TP on the high, SL on the low, filled at exactly their price', () => {
    expect(stepOpen(longOpen, bar(3, 96, 104.99), at(3), 100, slFirst)).toBeNull();
    expect(stepOpen(longOpen, bar(3, 99, 105), at(3), 103, slFirst)).toEqual({ reason: 'take_profit', price: 105 });
    expect(stepOpen(longOpen, bar(3, 95, 101), at(3), 97, slFirst)).toEqual({ reason: 'stop_loss', price: 95 });
    expect(stepOpen(longOpen, bar(3, 80, 90), at(3), 85, slFirst)).toEqual({ reason: 'stop_loss', price: 95 });
  });

  it('short: TP on the low, SL on the high', () => {
    expect(stepOpen(shortOpen, bar(3, 95.01, 104.99), at(3), 100, slFirst)).toBeNull();
    expect(stepOpen(shortOpen, bar(3, 95, 101), at(3), 97, slFirst)).toEqual({ reason: 'take_profit', price: 95 });
    expect(stepOpen(shortOpen, bar(3, 99, 105), at(3), 103, slFirst)).toEqual({ reason: 'stop_loss', price: 105 });
  });

  it('a candle touching both is resolved by intrabar, long and short', () => {
    const both = bar(4, 94, 106);
    expect(stepOpen(longOpen, both, at(4), 100, slFirst)).toEqual({ reason: 'stop_loss', price: 95 });
    expect(stepOpen(longOpen, both, at(4), 100, tpFirst)).toEqual({ reason: 'take_profit', price: 105 });
    expect(stepOpen(shortOpen, both, at(4), 100, slFirst)).toEqual({ reason: 'stop_loss', price: 105 });
    expect(stepOpen(shortOpen, both, at(4), 100, tpFirst)).toEqual({ reason: 'take_profit', price: 95 });
  });

  it('expires at exactly pendingAt + minuteEstimatedTime, after the last candle was checked for TP/SL', () => {
    expect(stepOpen(longOpen, bar(8, 99, 101), at(8), 100.2, slFirst)).toBeNull();
    expect(stepOpen(longOpen, bar(9, 99, 101), at(9), 100.2, slFirst)).toEqual({ reason: 'time_expired', price: 100.2 });
    expect(stepOpen(longOpen, bar(9, 99, 105), at(9), 104, slFirst)).toEqual({ reason: 'take_profit', price: 105 });
  });

  it('after a gap, a candle that began at or after the expiry closes at the current price, ignoring its touches', () => {
    expect(stepOpen(longOpen, bar(10, 99, 110), at(10), 107, slFirst)).toEqual({ reason: 'time_expired', price: 107 });
    expect(stepOpen(longOpen, bar(25, 80, 101), at(25), 90, slFirst)).toEqual({ reason: 'time_expired', price: 90 });
    expect(stepOpen(shortOpen, bar(12, 80, 101), at(12), 90, tpFirst)).toEqual({ reason: 'time_expired', price: 90 });
  });

  it('ignores candles that began before it opened (the activation candle)', () => {
    const opened = { ...longOpen, pendingAt: 5 * M };
    expect(stepOpen(opened, bar(4, 90, 110), 5 * M, 100, slFirst)).toBeNull();
    expect(stepOpen(opened, bar(5, 90, 110), 6 * M, 100, slFirst)).toEqual({ reason: 'stop_loss', price: 95 });
  });
});

describe('milestoneProgress (SEMANTICS §6)', () => {
  const long = { ...longOpen, priceOpen: 100, priceTakeProfit: 110, priceStopLoss: 95 };
  const short = { ...shortOpen, priceOpen: 100, priceTakeProfit: 90, priceStopLoss: 105 };

  it('long: toward TP above, toward SL below', () => {
    expect(milestoneProgress(long, 105).profit).toBeCloseTo(50, 9);
    expect(milestoneProgress(long, 105).loss).toBeCloseTo(-100, 9);
    expect(milestoneProgress(long, 98).loss).toBeCloseTo(40, 9);
    expect(milestoneProgress(long, 98).profit).toBeCloseTo(-20, 9);
  });

  it('short: mirrored', () => {
    expect(milestoneProgress(short, 95).profit).toBeCloseTo(50, 9);
    expect(milestoneProgress(short, 102).loss).toBeCloseTo(40, 9);
    expect(milestoneProgress(short, 102).profit).toBeCloseTo(-20, 9);
  });

  it('is capped at 100', () => {
    expect(milestoneProgress(long, 130).profit).toBe(100);
    expect(milestoneProgress(long, 50).loss).toBe(100);
    expect(milestoneProgress(short, 50).profit).toBe(100);
    expect(milestoneProgress(short, 150).loss).toBe(100);
  });
});

describe('newLevels', () => {
  const levels = [10, 20, 30, 40, 50, 60, 70, 80, 90];

  it('every level reached and not yet emitted, ascending', () => {
    expect(newLevels(35, levels, [])).toEqual([10, 20, 30]);
    expect(newLevels(100, levels, [10, 20, 30])).toEqual([40, 50, 60, 70, 80, 90]);
  });

  it('nothing when no new level is reached, nor for negative progress', () => {
    expect(newLevels(9.99, levels, [])).toEqual([]);
    expect(newLevels(35, levels, [10, 20, 30])).toEqual([]);
    expect(newLevels(-50, levels, [])).toEqual([]);
  });

  it('a level is reached at exactly its value', () => {
    expect(newLevels(20, levels, [10])).toEqual([20]);
  });
});
