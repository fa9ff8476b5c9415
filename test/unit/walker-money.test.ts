import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AccountOutput } from '../../src/core/equity.js';
import type { PortfolioStatistics } from '../../src/core/portfolio-stats.js';
import type { WalkerResult } from '../../src/operators/walk.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { walker } from '../../src/pipelines/walker.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';
import { dip, trend } from '../support/fixtures.js';

// Ranking by the account (SEMANTICS §12): each strategy on its own account, exactly as if backtested alone.
const source = () => syntheticCandles({ symbols: ['AAA/USD', 'BBB/USD'], start: Date.UTC(2024, 0, 1), count: 3 * 1440, seed: 11 });
const strategies = [trend, dip(0.997)];
const config = { balance: 1_000, stake: { equityPercent: 25 } };

async function alone(name: string): Promise<PortfolioStatistics> {
  let stats: PortfolioStatistics | undefined;
  const onAccount = (o: AccountOutput) => {
    if (o.kind === 'stats') stats = o.stats;
  };
  await lastValueFrom(backtest({ source: source(), strategies: strategies.filter((s) => s.name === name), config, onAccount }).pipe(toArray()));
  return stats!;
}

describe('walker ranks by portfolio metrics', () => {
  it('--metric totalReturn: each strategy on its own account, the value its own backtest gives', async () => {
    const out = await lastValueFrom(walker({ source: source(), strategies, config, metric: 'totalReturn' }).pipe(toArray()));
    const result = out.at(-1) as WalkerResult;
    expect(result.type).toBe('result');
    const own = Object.fromEntries(await Promise.all(strategies.map(async (s) => [s.name, await alone(s.name)] as const)));
    for (const ranked of result.strategies) {
      expect(ranked.statistics.portfolio).toEqual(own[ranked.strategy]);
      expect(ranked.value).toBe(own[ranked.strategy]!.totalReturn);
    }
    const values = result.strategies.map((r) => r.value!);
    expect(values[0]).not.toBe(values[1]);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(result.bestStrategy).toBe(result.strategies[0]!.strategy);
  });

  it('equityMaxDrawdown is minimised', async () => {
    const out = await lastValueFrom(walker({ source: source(), strategies, config, metric: 'equityMaxDrawdown' }).pipe(toArray()));
    const values = (out.at(-1) as WalkerResult).strategies.map((r) => r.value!);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.every((v) => v > 0 && v < 100)).toBe(true);
  });
});
