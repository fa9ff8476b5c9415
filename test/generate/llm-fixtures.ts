/** The recorded LLM answers in test/fixtures/llm and the real data slice the generate tests use. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const FIXTURES = resolve(__dirname, '../fixtures/llm');
export const ETH_1M = resolve(__dirname, '../../../shared/data/freqtrade/ETH_BTC-1m.json');
export const HAVE_DATA = existsSync(ETH_1M);

export function fixture(name: string): string {
  return readFileSync(resolve(FIXTURES, `${name}.md`), 'utf8');
}

/** Every fixture with the rejection it must get (`accepted` for the valid ones). */
export const EXPECTED = {
  'sma-cross-params': 'accepted',
  'breakout-1h': 'accepted',
  'mean-reversion-5m': 'accepted',
  'syntax-error': 'allow-list',
  'process-exit': 'allow-list',
  'require-fs': 'allow-list',
  'infinite-loop': 'time-budget',
  'unbounded-memory': 'memory',
  'invalid-signal': 'invalid-signal',
  'prose-only': 'extract',
} as const;
