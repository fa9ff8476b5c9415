import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalEventSchema, type EventOf, type SignalEvent } from '../../src/core/events.js';
import { runCli, sharedFile } from './run-cli.js';

// The README's position-management examples (SEMANTICS §13) through the built CLI on the real ETH/BTC 1m candles.
const ethBtc = sharedFile('ETH_BTC-1m.json');
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-managing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function backtest(example: string): { events: SignalEvent[]; report: Record<string, unknown>; html: string } {
  const events = join(tmp, `${example}.jsonl`);
  const report = join(tmp, example);
  const r = runCli(['backtest', '--candles', ethBtc!, '--symbol', 'ETH/BTC', '--strategy', `examples/${example}.mjs`, '--events', events, '--report', report, '--no-progress']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = readFileSync(events, 'utf8').trim().split('\n');
  return {
    events: lines.map((l) => SignalEventSchema.parse(JSON.parse(l))),
    report: JSON.parse(readFileSync(join(report, 'backtest.json'), 'utf8')) as Record<string, unknown>,
    html: readFileSync(join(report, 'backtest.html'), 'utf8'),
  };
}

const of = <A extends SignalEvent['action']>(events: readonly SignalEvent[], action: A) => events.filter((e): e is EventOf<A> => e.action === action);

/** Every stop_moved tightens, at most one per signal and candle, never at the instant the signal opened. */
function checkStopMoves(events: readonly SignalEvent[]): void {
  const seen = new Set<string>();
  const openedAt = new Map(of(events, 'opened').map((e) => [e.signal.id, e.now]));
  for (const e of of(events, 'stop_moved')) {
    expect(e.signal.position === 'long' ? e.newPrice > e.oldPrice : e.newPrice < e.oldPrice, e.eventId).toBe(true);
    const key = `${e.signal.id}@${e.now}`;
    expect(seen.has(key), key).toBe(false);
    seen.add(key);
    expect(e.now).toBeGreaterThan(openedAt.get(e.signal.id)!);
  }
}

/** A `trailing_stop` close fills at exactly the stop the signal's last stop_moved set, at a later candle. */
function checkTrailingCloses(events: readonly SignalEvent[]): number {
  const last = new Map<string, EventOf<'stop_moved'>>();
  let n = 0;
  for (const e of events) {
    if (e.action === 'stop_moved') last.set(e.signal.id, e);
    if (e.action === 'closed' && e.closeReason === 'trailing_stop') {
      const moved = last.get(e.signal.id)!;
      expect(e.pnl.priceClose).toBe(moved.newPrice);
      expect(e.now).toBeGreaterThan(moved.now);
      n++;
    }
  }
  return n;
}

describe.skipIf(ethBtc === null)('position-management examples on real data', () => {
  it('trailing-breakeven.mjs: breakeven and trailing stops move and close trades; statistics count trailing_stop', () => {
    const { events, report } = backtest('trailing-breakeven');
    const causes = new Set(of(events, 'stop_moved').map((e) => e.cause));
    expect(causes).toEqual(new Set(['breakeven', 'trailing']));
    checkStopMoves(events);
    const trailing = checkTrailingCloses(events);
    expect(trailing).toBeGreaterThan(5);
    const byReason = report.byExitReason as { key: string; trades: number }[];
    expect(byReason.find((r) => r.key === 'trailing_stop')?.trades).toBe(trailing);
    // A trade stopped at its breakeven level loses nothing.
    const breakevenCloses = of(events, 'closed').filter((c) => {
      const moves = of(events, 'stop_moved').filter((m) => m.signal.id === c.signal.id);
      return c.closeReason === 'trailing_stop' && moves.at(-1)!.cause === 'breakeven';
    });
    expect(breakevenCloses.length).toBeGreaterThan(0);
    for (const c of breakevenCloses) expect(c.pnl.pnlPercentage).toBeCloseTo(0, 9);
  });

  it('manage-half-at-1r.mjs: half off at 1R, the rest trailed; the closed event carries the parts and their weighted total', () => {
    const { events, report, html } = backtest('manage-half-at-1r');
    const partials = of(events, 'partial_closed');
    expect(partials.length).toBeGreaterThan(3);
    checkStopMoves(events);
    checkTrailingCloses(events);
    let profits = 0;
    for (const c of of(events, 'closed')) {
      profits += c.profit ?? 0;
      const parts = partials.filter((p) => p.signal.id === c.signal.id);
      if (parts.length === 0) {
        expect(c.parts).toBeUndefined();
        continue;
      }
      expect(parts.map((p) => [p.percent, p.fraction, p.remaining])).toEqual([[50, 0.5, 0.5]]);
      expect(c.parts!.map((p) => p.fraction)).toEqual([0.5, 0.5]);
      expect(c.pnl.pnlPercentage).toBeCloseTo(0.5 * c.parts![0]!.pnlPercentage + 0.5 * c.parts![1]!.pnlPercentage, 12);
      // The account returned the half's stake with its profit at the partial close; the closed event tells the trade's whole stake and profit.
      expect(parts[0]!.stake! * 2).toBeCloseTo(c.stake!, 9);
      expect(c.profit).toBeCloseTo((c.stake! * c.pnl.pnlPercentage) / 100, 9);
    }
    const portfolio = report.portfolio as { balance: number; finalEquity: number };
    // Nothing is left open at the end of this data (each trade lives at most a day): equity is balance + every trade's profit.
    expect(of(events, 'opened').length).toBe(of(events, 'closed').length);
    expect(portfolio.finalEquity).toBeCloseTo(portfolio.balance + profits, 6);
    // The price chart marks every partial exit, and the last moved stop of each trade whose stop moved.
    expect(html.match(/<title>partial exit /g)).toHaveLength(partials.length);
    expect(html.match(/<title>stop moved /g)).toHaveLength(new Set(of(events, 'stop_moved').map((e) => e.signal.id)).size);
  });
});
