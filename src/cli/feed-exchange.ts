import type { Interval } from '../core/intervals.js';
import { ccxtCandles } from '../sources/ccxt-history.js';
import type { ExchangeFetchError, OhlcvExchange } from '../sources/ccxt-exchange.js';
import type { CandleSource } from '../sources/candle-source.js';
import { UserError } from './user-error.js';

/** Builds the exchange `tickflow feed --exchange ID` reads from (tests pass one pointed at a local stand-in). */
export type ExchangeFactory = (id: string) => OhlcvExchange | Promise<OhlcvExchange>;

/** What `--exchange` asks for: candles of `symbols` opening in `[since, until)`. */
export interface ExchangeFeed {
  readonly id: string;
  readonly symbols: readonly string[];
  readonly interval: Interval;
  readonly since: number;
  /** Exclusive; undefined: every candle closed by now. */
  readonly until: number | undefined;
}

/**
 * The real ccxt exchange class of that id, rate-limited. ccxt is imported only here: the other feeds never load it.
 *
 * @example
 * ```ts
 * const exchange = await ccxtExchange('binance');
 * ```
 */
export async function ccxtExchange(id: string): Promise<OhlcvExchange> {
  const ccxt = (await import('ccxt')).default as unknown as { exchanges: readonly string[] } & Record<string, unknown>;
  const Exchange = ccxt[id];
  if (!ccxt.exchanges.includes(id) || typeof Exchange !== 'function') {
    throw new UserError(`--exchange ${id}: not a ccxt exchange id (e.g. binance, kraken, coinbase)`);
  }
  return new (Exchange as new (config: object) => OhlcvExchange)({ enableRateLimit: true });
}

/**
 * The candles of every symbol from the exchange, merged in time order, each failed request reported (and retried
 * as `ccxtCandles` does: a transient failure a few times, a permanent one not at all).
 */
export function exchangeCandles(exchange: OhlcvExchange, feed: ExchangeFeed, onError: (err: ExchangeFetchError) => void): CandleSource {
  return ccxtCandles({ exchange, symbol: [...feed.symbols], interval: feed.interval, since: feed.since, until: feed.until, onError });
}
