import { describe, expect, it } from 'vitest';
import type { SignalEvent } from '../../src/core/events.js';
import type { SignalResult, Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { series, trend } from '../support/fixtures.js';

const MIN = 60_000;
const candles = series(600, 0);

/** A signal whose take-profit getter throws: reading the answer runs the strategy's code. */
function booby(price: number): SignalResult {
  return {
    position: 'long',
    get priceTakeProfit(): number {
      throw new Error('tp getter exploded');
    },
    priceStopLoss: price * 0.99,
    minuteEstimatedTime: 30,
  };
}

/** Every 10th minute the answer throws when read; otherwise `trend`. */
function sometimesBooby(name: string, async: boolean): Strategy {
  return {
    name,
    interval: '5m',
    getSignal: (ctx) => {
      const answer = (ctx.now / MIN) % 10 === 0 ? booby(ctx.price) : trend.getSignal(ctx);
      return async ? Promise.resolve(answer as SignalResult) : (answer as SignalResult);
    },
  };
}

/** Answers with a thenable whose `then` throws. */
const brokenThenable: Strategy = {
  name: 'thenable',
  interval: '5m',
  getSignal: () =>
    ({
      then() {
        throw new Error('then exploded');
      },
    }) as never,
};

const errors = (events: SignalEvent[], strategy: string) =>
  events.filter((e): e is Extract<SignalEvent, { action: 'error' }> => e.action === 'error' && e.strategy === strategy);

describe('a failure while reading a strategy answer is an error event and the run goes on', () => {
  it.each([
    ['sync', false],
    ['async', true],
  ] as const)('%s: a getter that throws in the signal', async (name, async) => {
    const events = await collect(backtest({ source: replayCandles({ X: candles }), strategies: [sometimesBooby(name, async)] }));
    const errs = errors(events, name);
    expect(errs.length).toBeGreaterThan(3);
    for (const e of errs) expect(e.message).toMatch(/reading the signal threw: tp getter exploded/);
    // The run went on to the end: signals after the first failure, and the closing `closed` events.
    const firstError = errs[0]!.now;
    expect(events.some((e) => e.action === 'opened' && e.now > firstError)).toBe(true);
    expect(events.filter((e) => e.action === 'closed').length).toBeGreaterThan(5);
  });

  it('a thenable whose then() throws', async () => {
    const events = await collect(backtest({ source: replayCandles({ X: candles }), strategies: [brokenThenable, trend] }));
    const errs = errors(events, 'thenable');
    expect(errs.length).toBe(candles.length / 5);
    for (const e of errs) expect(e.message).toMatch(/getSignal rejected: then exploded/);
    expect(events.filter((e) => e.strategy === 'trend' && e.action === 'closed').length).toBeGreaterThan(5);
  });
});
