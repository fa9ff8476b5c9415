import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Candle } from '../core/candle.js';
import { intervalMs, type Interval } from '../core/intervals.js';
import { isoTime } from '../core/time.js';
import { ccxtCandles } from '../sources/ccxt-history.js';
import type { OhlcvExchange } from '../sources/ccxt-exchange.js';
import type { CandleConsumer } from '../sources/candle-source.js';
import { CandleStore } from '../store/candle-store.js';
import type { TimeRange } from '../store/ranges.js';
import type { CandleCache } from '../store/types.js';
import { describeIssues } from '../store/describe-issues.js';
import type { DownloadFlags } from './data-args.js';
import { ProgressBar } from './progress.js';
import { UserError } from './user-error.js';

const ExchangeOptionsSchema = z.record(z.string(), z.unknown());

/** ccxt's exchange class `id`, rate-limited, with the constructor options of `--exchange-options FILE.json`. */
async function buildExchange(id: string, optionsFile: string | undefined): Promise<OhlcvExchange & { loadMarkets(): Promise<unknown>; markets?: Record<string, unknown> }> {
  let options: Record<string, unknown> = {};
  if (optionsFile !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(optionsFile, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== undefined) throw err;
      throw new UserError(`--exchange-options ${optionsFile}: not JSON: ${(err as Error).message}`);
    }
    const parsed = ExchangeOptionsSchema.safeParse(raw);
    if (!parsed.success) throw new UserError(`--exchange-options ${optionsFile}: expected a JSON object of ccxt options: ${describeIssues(parsed.error)}`);
    options = parsed.data;
  }
  const ccxt = (await import('ccxt')).default as unknown as { exchanges: readonly string[] } & Record<string, unknown>;
  const Exchange = ccxt[id];
  if (!ccxt.exchanges.includes(id) || typeof Exchange !== 'function') throw new UserError(`--exchange ${id}: not a ccxt exchange id (e.g. binance, kraken, coinbase)`);
  return new (Exchange as new (config: object) => OhlcvExchange & { loadMarkets(): Promise<unknown> })({ enableRateLimit: true, ...options });
}

/** Counts what reaches the store from the exchange (the rest of a resumed download was stored before). */
class CountingCache implements CandleCache {
  written = 0;
  constructor(private readonly store: CandleStore) {}
  putCandles(symbol: string, interval: Interval, candles: readonly Candle[], covered?: TimeRange): void {
    this.store.putCandles(symbol, interval, candles, covered);
    this.written += candles.length;
  }
  readCandles(symbol: string, interval: Interval, from: number, to: number): Iterable<Candle> {
    return this.store.readCandles(symbol, interval, from, to);
  }
  coveredRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[] {
    return this.store.coveredRanges(symbol, interval, from, to);
  }
  missingRanges(symbol: string, interval: Interval, from: number, to: number): TimeRange[] {
    return this.store.missingRanges(symbol, interval, from, to);
  }
}

/**
 * `tickflow data download`: each symbol's candles of `[since, until)` from the exchange into the store, one symbol
 * after another, page by page. Each page is committed with the range it covers before the next is asked for, so
 * an interrupted download resumes where it stopped: what is stored is read back, only the missing ranges are fetched.
 */
export async function dataDownload(flags: DownloadFlags): Promise<void> {
  const exchange = await buildExchange(flags.exchange!, flags.exchangeOptions);
  await exchange.loadMarkets();
  const markets = exchange.markets ?? {};
  for (const symbol of flags.symbols) {
    if (!(symbol in markets)) {
      const some = Object.keys(markets).slice(0, 5).join(', ');
      throw new UserError(`--symbols: ${symbol} is not a market of ${flags.exchange}${some === '' ? '' : ` (markets look like ${some})`}`);
    }
  }
  const store = CandleStore.open({ path: flags.data });
  try {
    for (const symbol of flags.symbols) await downloadOne(store, exchange, symbol, flags);
  } finally {
    await store.close();
  }
}

async function downloadOne(store: CandleStore, exchange: OhlcvExchange, symbol: string, flags: DownloadFlags): Promise<void> {
  const { interval, since } = flags;
  const step = intervalMs(interval);
  const cache = new CountingCache(store);
  const retries: string[] = [];
  const source = ccxtCandles({
    exchange,
    symbol,
    interval,
    since: since!,
    until: flags.until,
    store: { candles: cache },
    onError: (err) => {
      if (err.retryInMs !== null) retries.push(err.message);
    },
  });
  const bar = ProgressBar.for(process.stderr, flags.progress, { kind: 'span', from: since!, to: flags.until ?? Date.now() }, symbol);
  let count = 0;
  let first: number | null = null;
  let last = 0;
  await new Promise<void>((resolve, reject) => {
    const consumer: CandleConsumer = {
      next: ({ candle }) => {
        count++;
        first ??= candle.timestamp;
        last = candle.timestamp;
        bar?.update(count, candle.timestamp + step);
      },
      error: reject,
      complete: resolve,
      closed: false,
    };
    source.drive(consumer);
  }).finally(() => bar?.done());
  const span = first === null ? 'no candles in that span' : `${isoTime(first).slice(0, 16)} → ${isoTime(last).slice(0, 16)}`;
  const gaps = first === null ? 0 : (last - first) / step + 1 - count;
  const retried = retries.length === 0 ? '' : `, ${retries.length} request(s) retried`;
  process.stdout.write(
    `${symbol} ${interval}: ${count.toLocaleString('en-US')} candles, ${span}; ${cache.written.toLocaleString('en-US')} downloaded, ` +
      `${(count - cache.written).toLocaleString('en-US')} already stored; ${gaps.toLocaleString('en-US')} empty slot(s) (no trades)${retried}\n`,
  );
}
