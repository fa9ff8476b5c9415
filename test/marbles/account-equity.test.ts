import { describe, expect, it } from 'vitest';
import type { SymbolCandle } from '../../src/core/candle.js';
import type { AccountInput, AccountOutput } from '../../src/core/equity.js';
import { closedEvent, signalEvent } from '../../src/core/events.js';
import { computePnl } from '../../src/core/pnl.js';
import { accountEquity } from '../../src/operators/account-equity.js';
import { candle, minutes } from '../../src/testing.js';
import { collect, longSignal, testScheduler } from './helpers.js';

const free = { feePercent: 0, slippagePercent: 0 };
const at = (symbol: string, minute: number, close: number): SymbolCandle => ({
  symbol,
  interval: '1m',
  candle: candle(minute, close, close, close, close),
});
const laneA = { symbol: 'A', strategy: 's' };
const laneB = { symbol: 'B', strategy: 's' };
const sigA = longSignal({ id: 'a', priceOpen: 100, pendingAt: minutes(2), scheduledAt: minutes(2) });
const openedA = signalEvent('opened', laneA, sigA, minutes(2));
const closedA = closedEvent(laneA, sigA, minutes(4), 'take_profit', computePnl('long', 100, 110, free));

// A's candles close at minutes 1..4 (100, 100, 105, 110); the position opens at 2 and closes at 4 with +10 %.
const items: Record<string, AccountInput> = {
  a: at('A', 0, 100),
  b: at('A', 1, 100),
  o: openedA,
  c: at('A', 2, 105),
  d: at('A', 3, 110),
  x: closedA,
};
const point = (minute: number, equity: number, cash: number, openPositions: number): AccountOutput => ({
  kind: 'equity',
  time: minutes(minute),
  equity,
  cash,
  openPositions,
});
const opened: AccountOutput = { kind: 'opened', time: minutes(2), symbol: 'A', strategy: 's', signalId: 'a', stake: 100, cash: 900 };
const closed: AccountOutput = { kind: 'closed', time: minutes(4), symbol: 'A', strategy: 's', signalId: 'a', stake: 100, profit: 10, fees: 0, cash: 1010 };
const stats = expect.objectContaining({
  finalEquity: 1010,
  totalReturn: expect.closeTo(1, 12),
  maxDrawdown: 0,
  exposure: 50,
  feesPaid: 0,
  sharpe: null,
  days: 1,
});

const money = { balance: 1000, stake: 100 };

describe('accountEquity', () => {
  it('an equity point after every instant (marked at the latest close), stake records as they happen, statistics at the end', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<AccountInput>('abocdx|', items);
      expectObservable(source.pipe(accountEquity({ money, ...free }))).toBe('-abcdx(ef|)', {
        a: point(1, 1000, 1000, 0),
        b: opened,
        c: point(2, 1000, 900, 1),
        d: point(3, 1005, 900, 1),
        x: closed,
        e: point(4, 1010, 1010, 0),
        f: { kind: 'stats', stats },
      });
    });
  });

  it('downsampled: the last point of every 2-minute bucket; the statistics still see every point', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<AccountInput>('abocdx|', items);
      expectObservable(source.pipe(accountEquity({ money, everyMs: minutes(2), ...free }))).toBe('--ba-x(def|)', {
        a: point(1, 1000, 1000, 0),
        b: opened,
        x: closed,
        d: point(3, 1005, 900, 1),
        e: point(4, 1010, 1010, 0),
        f: { kind: 'stats', stats },
      });
    });
  });

  it('several symbols closing at one instant give one point; a stake larger than free cash is rejected, and its close ignored', () => {
    const sigB = longSignal({ id: 'b', priceOpen: 50, pendingAt: minutes(1), scheduledAt: minutes(1) });
    const sigA1 = { ...sigA, pendingAt: minutes(1), scheduledAt: minutes(1) };
    const values: Record<string, AccountInput> = {
      a: at('A', 0, 100),
      b: at('B', 0, 50),
      o: signalEvent('opened', laneA, sigA1, minutes(1)),
      p: signalEvent('opened', laneB, sigB, minutes(1)),
      c: at('A', 1, 90),
      d: at('B', 1, 55),
      x: closedEvent(laneB, sigB, minutes(2), 'take_profit', computePnl('long', 50, 55, free)),
    };
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<AccountInput>('abopcdx|', values);
      expectObservable(source.pipe(accountEquity({ money: { balance: 150, stake: 100 }, ...free }))).toBe('--ABC--(DE|)', {
        A: { kind: 'opened', time: minutes(1), symbol: 'A', strategy: 's', signalId: 'a', stake: 100, cash: 50 },
        B: { kind: 'rejected', time: minutes(1), symbol: 'B', strategy: 's', signalId: 'b', stake: 100, cash: 50, reason: 'insufficient balance' },
        C: point(1, 150, 50, 1),
        // A marked at 90: 50 + 100 · 0.9; B's close changes nothing, the account never held it.
        D: point(2, 140, 50, 1),
        E: {
          kind: 'stats',
          stats: expect.objectContaining({ finalEquity: 140, maxDrawdown: expect.closeTo((10 / 150) * 100, 12), exposure: 50 }),
        },
      });
    });
  });

  it('an item older than the current instant is an error naming the symbol and both times', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<AccountInput>('ab|', { a: at('A', 5, 100), b: at('B', 2, 50) });
      expectObservable(source.pipe(accountEquity({ money, ...free }))).toBe(
        '-#',
        undefined,
        new RangeError('account: B at 1970-01-01T00:03:00.000Z arrived after 1970-01-01T00:06:00.000Z: candles and events must come in time order'),
      );
    });
  });

  it('checks its options at once, naming the key', () => {
    expect(() => accountEquity({ everyMs: -1 })).toThrow("accountEquity options: 'everyMs'");
    expect(() => accountEquity({ money: { stake: 0 } })).toThrow("accountEquity money: 'stake': must be > 0");
  });

  it('the plain function gives the same outputs as the operator', async () => {
    const { accountOver } = await import('../../src/core/equity.js');
    const { resolveMoneyConfig } = await import('../../src/core/money-config.js');
    const { of } = await import('rxjs');
    const list = Object.values(items);
    const viaOperator = collect(of(...list).pipe(accountEquity({ money, ...free })));
    const viaFunction: AccountOutput[] = [];
    accountOver(list, { money: resolveMoneyConfig(money), config: free }, (o) => viaFunction.push(o));
    expect(viaFunction).toEqual(viaOperator);
    expect(viaOperator.length).toBe(7);
  });
});

describe('accountEquity input checks', () => {
  it('a candle of an unknown interval is an error naming the symbol, not a NaN equity', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const bad = { symbol: 'Z', interval: '7m', candle: candle(0, 1) } as unknown as AccountInput;
      expectObservable(cold<AccountInput>('a|', { a: bad }).pipe(accountEquity({ money, ...free }))).toBe(
        '#',
        undefined,
        new RangeError('account: Z: an instant of NaN (expected a candle with a known interval, or an event with a finite now)'),
      );
    });
  });
});
