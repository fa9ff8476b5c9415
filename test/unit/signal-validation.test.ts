import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigInput } from '../../src/core/config.js';
import { proposeSignal, type Proposal } from '../../src/core/signal.js';

const NOW = 600_000;

function propose(dto: unknown, price = 100, config: ConfigInput = {}) {
  return proposeSignal(dto, { strategy: 's', symbol: 'BTC', now: NOW, price, config: resolveConfig(config) });
}

function accepted(dto: unknown, price = 100, config: ConfigInput = {}): Proposal {
  const result = propose(dto, price, config);
  if ('problems' in result) throw new Error(`expected a proposal, got: ${result.problems.join('; ')}`);
  return result;
}

function problems(dto: unknown, price = 100, config: ConfigInput = {}): string[] {
  const result = propose(dto, price, config);
  if (!('problems' in result)) throw new Error(`expected problems, got a ${result.entry} proposal`);
  return result.problems;
}

const long = { position: 'long', priceTakeProfit: 102, priceStopLoss: 98, minuteEstimatedTime: 60 } as const;
const short = { position: 'short', priceTakeProfit: 98, priceStopLoss: 102, minuteEstimatedTime: 60 } as const;

describe('proposeSignal: shape of the DTO (SEMANTICS §3.1)', () => {
  it('accepts a valid long and a valid short and builds a deterministic signal', () => {
    expect(accepted(long)).toEqual({
      entry: 'market',
      signal: {
        id: `s:BTC:${NOW}`,
        position: 'long',
        priceOpen: 100,
        priceTakeProfit: 102,
        priceStopLoss: 98,
        minuteEstimatedTime: 60,
        scheduledAt: NOW,
        pendingAt: NOW,
        note: null,
      },
    });
    expect(accepted(short).signal.position).toBe('short');
  });

  it('keeps a strategy-supplied id and note', () => {
    const { signal } = accepted({ ...long, id: 'mine-1', note: 'breakout' });
    expect(signal.id).toBe('mine-1');
    expect(signal.note).toBe('breakout');
  });

  it.each(['buy', 'LONG', '', undefined, 1])('rejects position %j', (position) => {
    expect(problems({ ...long, position }).join()).toMatch(/position/);
  });

  it.each([
    ['priceTakeProfit', Number.NaN],
    ['priceTakeProfit', Number.POSITIVE_INFINITY],
    ['priceStopLoss', 0],
    ['priceStopLoss', -98],
    ['priceOpen', '99'],
    ['priceOpen', Number.NEGATIVE_INFINITY],
  ])('rejects %s = %s (prices finite and > 0)', (field, value) => {
    expect(problems({ ...long, [field]: value }).join()).toContain(field);
  });

  it.each([0, -5, 1.5, Number.NaN])('rejects minuteEstimatedTime %s (an integer > 0)', (minutes) => {
    expect(problems({ ...long, minuteEstimatedTime: minutes }).join()).toContain('minuteEstimatedTime');
  });

  it('caps minuteEstimatedTime at maxSignalLifetimeMinutes (1440 by default; 0 disables)', () => {
    expect(accepted({ ...long, minuteEstimatedTime: 1440 }).signal.minuteEstimatedTime).toBe(1440);
    expect(problems({ ...long, minuteEstimatedTime: 1441 })).toEqual([
      'minuteEstimatedTime 1441 exceeds maxSignalLifetimeMinutes 1440',
    ]);
    expect(problems({ ...long, minuteEstimatedTime: 61 }, 100, { maxSignalLifetimeMinutes: 60 })).toHaveLength(1);
    expect(accepted({ ...long, minuteEstimatedTime: 100_000 }, 100, { maxSignalLifetimeMinutes: 0 }).entry).toBe('market');
  });

  it.each([[null], ['long'], [42], [[]]])('rejects a DTO that is not an object: %j', (dto) => {
    expect(problems(dto).length).toBeGreaterThan(0);
  });
});

describe('proposeSignal: price order (strict)', () => {
  it('long needs TP > P > SL', () => {
    expect(problems({ ...long, priceTakeProfit: 100 })).toContain('long: priceTakeProfit 100 must be above current price 100');
    expect(problems({ ...long, priceStopLoss: 100 })).toContain('long: priceStopLoss 100 must be below current price 100');
    expect(problems({ ...long, priceTakeProfit: 98, priceStopLoss: 102 }).join()).toMatch(/above.*below/);
  });

  it('short needs TP < P < SL', () => {
    expect(problems({ ...short, priceTakeProfit: 100 })).toContain('short: priceTakeProfit 100 must be below current price 100');
    expect(problems({ ...short, priceStopLoss: 100 })).toContain('short: priceStopLoss 100 must be above current price 100');
    // A long's levels on a short are wrong both ways.
    expect(problems({ ...short, priceTakeProfit: 102, priceStopLoss: 98 })).toHaveLength(2);
  });
});

describe('proposeSignal: distances as % of P', () => {
  const noCost = { feePercent: 0, slippagePercent: 0 };

  it('take-profit at least minTakeProfitDistancePercent', () => {
    const [problem] = problems({ ...long, priceTakeProfit: 100.5 }, 100, { ...noCost, minTakeProfitDistancePercent: 1 });
    expect(problem).toMatch(/take-profit distance 0\.5% is below the minimum 1%/);
    expect(accepted({ ...long, priceTakeProfit: 101 }, 100, { ...noCost, minTakeProfitDistancePercent: 1 }).entry).toBe('market');
  });

  it('stop-loss at least minStopLossDistancePercent (0.5 by default)', () => {
    expect(problems({ ...long, priceStopLoss: 99.6 })).toEqual([
      'stop-loss distance 0.4% is below minStopLossDistancePercent 0.5%',
    ]);
    expect(accepted({ ...long, priceStopLoss: 99.5 }).signal.priceStopLoss).toBe(99.5);
    expect(problems({ ...short, priceStopLoss: 100.4 })).toHaveLength(1);
  });

  it('stop-loss at most maxStopLossDistancePercent (20 by default)', () => {
    expect(problems({ ...long, priceStopLoss: 79 })).toEqual([
      'stop-loss distance 21% is above maxStopLossDistancePercent 20%',
    ]);
    expect(accepted({ ...long, priceStopLoss: 80 }).signal.priceStopLoss).toBe(80);
    expect(problems({ ...short, priceStopLoss: 121 })).toHaveLength(1);
  });

  it('0 disables each distance rule', () => {
    const config = { ...noCost, minTakeProfitDistancePercent: 0, minStopLossDistancePercent: 0, maxStopLossDistancePercent: 0 };
    const { signal } = accepted({ ...long, priceTakeProfit: 100.01, priceStopLoss: 1 }, 100, config);
    expect(signal).toMatchObject({ priceTakeProfit: 100.01, priceStopLoss: 1 });
    expect(accepted({ ...long, priceStopLoss: 99.99 }, 100, { minStopLossDistancePercent: 0 }).entry).toBe('market');
    expect(accepted({ ...long, priceStopLoss: 50 }, 100, { maxStopLossDistancePercent: 0 }).entry).toBe('market');
  });
});

describe('proposeSignal: economic floor max(minTP, 2·fee + 2·slippage)', () => {
  it('is 0.4 % with the defaults and the message states both numbers', () => {
    // 0.35 % passes minTakeProfitDistancePercent 0.3 but not the 0.4 % round-trip cost.
    const found = problems({ ...long, priceTakeProfit: 100.35 });
    expect(found).toHaveLength(1);
    expect(found[0]).toBe(
      'take-profit distance 0.35% is below the minimum 0.4% (minTakeProfitDistancePercent 0.3%, round-trip cost 0.4%)',
    );
    expect(accepted({ ...long, priceTakeProfit: 100.4 }).entry).toBe('market');
    expect(problems({ ...short, priceTakeProfit: 99.65 })[0]).toMatch(/below the minimum 0\.4%/);
  });

  it('follows the fees and slippage', () => {
    const config = { feePercent: 0.25, slippagePercent: 0.25 };
    expect(problems({ ...long, priceTakeProfit: 100.9 }, 100, config)[0]).toMatch(
      /below the minimum 1% \(minTakeProfitDistancePercent 0\.3%, round-trip cost 1%\)/,
    );
    expect(accepted({ ...long, priceTakeProfit: 101 }, 100, config).entry).toBe('market');
  });

  it('the configured minimum wins when it is larger', () => {
    expect(problems({ ...long, priceTakeProfit: 100.9 }, 100, { minTakeProfitDistancePercent: 1 })[0]).toMatch(
      /below the minimum 1% \(minTakeProfitDistancePercent 1%, round-trip cost 0\.4%\)/,
    );
  });

  it('minTakeProfitDistancePercent 0 leaves the floor; zero fees and slippage remove it', () => {
    expect(problems({ ...long, priceTakeProfit: 100.35 }, 100, { minTakeProfitDistancePercent: 0 })[0]).toMatch(
      /below the minimum 0\.4% \(minTakeProfitDistancePercent 0%, round-trip cost 0\.4%\)/,
    );
    const free = { minTakeProfitDistancePercent: 0, feePercent: 0, slippagePercent: 0 };
    expect(accepted({ ...long, priceTakeProfit: 100.001 }, 100, free).entry).toBe('market');
  });
});

describe('proposeSignal: every failing rule in one result', () => {
  it('reports order, distance and lifetime problems together', () => {
    const found = problems({ position: 'long', priceTakeProfit: 99, priceStopLoss: 70, minuteEstimatedTime: 2000 });
    expect(found).toEqual([
      'minuteEstimatedTime 2000 exceeds maxSignalLifetimeMinutes 1440',
      'long: priceTakeProfit 99 must be above current price 100',
      'stop-loss distance 30% is above maxStopLossDistancePercent 20%',
    ]);
  });

  it('reports a malformed field together with the rules the other fields break', () => {
    const found = problems({ position: 'long', priceTakeProfit: 99, priceStopLoss: 99.9, minuteEstimatedTime: 1.5 });
    expect(found.some((p) => p.startsWith('minuteEstimatedTime'))).toBe(true);
    expect(found).toContain('long: priceTakeProfit 99 must be above current price 100');
    expect(found).toContain('stop-loss distance 0.1% is below minStopLossDistancePercent 0.5%');
  });

  it('reports every malformed field', () => {
    const found = problems({ position: 'up', priceTakeProfit: -1, priceStopLoss: 'x', minuteEstimatedTime: 0 });
    for (const field of ['position', 'priceTakeProfit', 'priceStopLoss', 'minuteEstimatedTime']) {
      expect(found.some((p) => p.startsWith(field))).toBe(true);
    }
  });
});

describe('proposeSignal: market vs limit entry (SEMANTICS §3.2)', () => {
  it('no priceOpen: market entry at the current price, opened now', () => {
    const { entry, signal } = accepted(long, 100);
    expect(entry).toBe('market');
    expect(signal).toMatchObject({ priceOpen: 100, scheduledAt: NOW, pendingAt: NOW });
  });

  it('a limit not yet reached is scheduled and validated against priceOpen', () => {
    // TP 99.5 is below the market (100) but above priceOpen 98: valid for a limit at 98.
    const { entry, signal } = accepted({ ...long, priceOpen: 98, priceTakeProfit: 99.5, priceStopLoss: 97 }, 100);
    expect(entry).toBe('scheduled');
    expect(signal).toMatchObject({ priceOpen: 98, scheduledAt: NOW, pendingAt: null });
    expect(problems({ ...long, priceOpen: 98, priceTakeProfit: 102, priceStopLoss: 97.8 })).toEqual([
      'stop-loss distance 0.204082% is below minStopLossDistancePercent 0.5%',
    ]);
    const shortLimit = accepted({ ...short, priceOpen: 102, priceTakeProfit: 100.5, priceStopLoss: 103 }, 100);
    expect(shortLimit.entry).toBe('scheduled');
    expect(shortLimit.signal.priceOpen).toBe(102);
  });

  it('an already-marketable limit fills at the market price, not at priceOpen', () => {
    const l = accepted({ ...long, priceOpen: 101 }, 100);
    expect(l.entry).toBe('market');
    expect(l.signal).toMatchObject({ priceOpen: 100, pendingAt: NOW });
    const s = accepted({ ...short, priceOpen: 99 }, 100);
    expect(s.entry).toBe('market');
    expect(s.signal).toMatchObject({ priceOpen: 100, pendingAt: NOW });
    // priceOpen exactly at the market is reached.
    expect(accepted({ ...long, priceOpen: 100 }, 100).entry).toBe('market');
    expect(accepted({ ...short, priceOpen: 100 }, 100).entry).toBe('market');
  });

  it('a marketable limit is validated against the current price, which must lie strictly between SL and TP', () => {
    // SL 100.5 is below priceOpen 101 but above the market 100 where the order would fill.
    expect(problems({ ...long, priceOpen: 101, priceTakeProfit: 103, priceStopLoss: 100.5 }, 100)).toContain(
      'long: priceStopLoss 100.5 must be below current price 100',
    );
    expect(problems({ ...short, priceOpen: 99, priceTakeProfit: 98, priceStopLoss: 99.7 }, 100)).toContain(
      'short: priceStopLoss 99.7 must be above current price 100',
    );
  });
});
