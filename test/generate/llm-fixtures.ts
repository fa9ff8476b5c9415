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

/** The order the test server answers first-round candidates in (candidate k gets the k-th). */
export const FIRST_ROUND = Object.keys(EXPECTED) as (keyof typeof EXPECTED)[];

/** The test server's answers: round 1, candidate k → the k-th fixture; later rounds → the refined SMA cross. */
export function answerFromFixtures(body: { messages: readonly { role: string; content: string }[] }): string {
  const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const m = /^Candidate (\d+) of (\d+) \(round (\d+)\)/.exec(user);
  if (m === null) return fixture('prose-only');
  return Number(m[3]) === 1 ? fixture(FIRST_ROUND[(Number(m[1]) - 1) % FIRST_ROUND.length]!) : fixture('sma-cross-refined');
}
