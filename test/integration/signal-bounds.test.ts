import { describe, expect, it } from 'vitest';
import { SignalEventSchema } from '../../src/core/events.js';
import { SignalSchema } from '../../src/core/signal.js';
import type { Strategy } from '../../src/core/strategy.js';
import { backtest } from '../../src/pipelines/backtest.js';
import { replayCandles } from '../../src/sources/replay.js';
import { collect } from '../support/collect.js';
import { series, trend } from '../support/fixtures.js';

/** `trend`, with extra fields in every signal. */
function withFields(name: string, fields: Record<string, unknown>): Strategy {
  return {
    ...trend,
    name,
    getSignal: (ctx) => {
      const s = trend.getSignal(ctx) as object | null;
      return s === null ? null : ({ ...s, ...fields } as never);
    },
  };
}

describe('a signal carries a bounded note and id', () => {
  const candles = series(300, 0);

  it('a 5 MB note is refused with an error naming the field, its length and the bound; no event carries it', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const events = await collect(backtest({ source: replayCandles({ X: candles }), strategies: [withFields('novel', { note: huge })] }));
    const errors = events.filter((e) => e.action === 'error');
    expect(errors.length).toBe(events.length);
    expect(errors.length).toBeGreaterThan(10);
    for (const e of errors) {
      expect(e.action === 'error' && e.message).toMatch(
        /^strategy 'novel' on X at \S+: invalid signal: note: too long: 5242880 characters, at most 4096$/,
      );
    }
  });

  it('an id longer than 256 characters is refused the same way; notes and ids within the bounds pass', async () => {
    const long = await collect(backtest({ source: replayCandles({ X: candles }), strategies: [withFields('long-id', { id: 'i'.repeat(257) })] }));
    expect(long.length).toBeGreaterThan(0);
    for (const e of long) expect(e.action === 'error' && e.message).toMatch(/invalid signal: id: too long: 257 characters, at most 256$/);
    const fine = await collect(
      backtest({ source: replayCandles({ X: candles }), strategies: [withFields('fine', { note: 'n'.repeat(4096), id: 'i'.repeat(256) })] }),
    );
    expect(fine.filter((e) => e.action === 'error')).toEqual([]);
    expect(fine.filter((e) => e.action === 'opened').length).toBeGreaterThan(2);
  });

  it('every signal the engine emits is valid under the one signal schema, and every event under the event contract', async () => {
    const events = await collect(backtest({ source: replayCandles({ X: candles }), strategies: [withFields('noted', { note: 'why' })], config: { closeAtEnd: true } }));
    const withSignal = events.filter((e) => 'signal' in e);
    expect(withSignal.length).toBeGreaterThan(10);
    for (const e of withSignal) expect(SignalSchema.parse(e.signal)).toEqual(e.signal);
    for (const e of events) expect(SignalEventSchema.parse(e)).toEqual(e);
  });
});
