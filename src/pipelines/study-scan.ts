import { lastValueFrom, Observable } from 'rxjs';
import type { SymbolCandle } from '../core/candle.js';
import { INTERVAL_MS } from '../core/intervals.js';
import type { TimeRange } from './timerange.js';

/** What a study needs to know of its data before it runs: the span of decisions and the closes for random entry. */
export interface StudySpan {
  /** First decision instant (the first candle close inside the range). */
  readonly from: number;
  /** One past the last decision instant. */
  readonly to: number;
  readonly symbols: readonly string[];
  /** Closes of the candles inside the range, when the data has one symbol (random entry needs one price path). */
  readonly closes: number[] | null;
  readonly intervalMinutes: number;
}

/**
 * One read of the source (no lanes): the first and last close instant inside the range, the symbols, and, for one
 * symbol, the closes inside the range. Null when no candle closes inside it.
 */
export async function scanStudySpan(source: Observable<SymbolCandle>, range: TimeRange): Promise<StudySpan | null> {
  let first: number | null = null;
  let last = 0;
  let interval = 0;
  const symbols: string[] = [];
  const closes: number[] = [];
  await lastValueFrom(
    new Observable<void>((subscriber) =>
      source.subscribe({
        next: (c) => {
          const ms = INTERVAL_MS[c.interval];
          const now = c.candle.timestamp + ms;
          if (range.to !== null && now >= range.to) return;
          if (range.from !== null && now < range.from) return;
          if (!symbols.includes(c.symbol)) symbols.push(c.symbol);
          if (first === null) first = now;
          last = now;
          interval = ms;
          closes.push(c.candle.close);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          subscriber.next();
          subscriber.complete();
        },
      }),
    ),
  );
  if (first === null) return null;
  return { from: first, to: last + 1, symbols, closes: symbols.length === 1 ? closes : null, intervalMinutes: interval / 60_000 };
}
