import { candleFiles } from '../sources/files.js';
import { demoSource } from './demo.js';
import { ccxtExchange, exchangeCandles, type ExchangeFactory } from './feed-exchange.js';
import { FEED_USAGE, parseFeedFlags } from './feed-args.js';
import { isUserError, UserError } from './user-error.js';

const log = (line: string) => process.stderr.write(`tickflow feed: ${line}\n`);

const isKafkaError = (err: unknown): err is Error => err instanceof Error && err.name.startsWith('KafkaJS');

/**
 * `tickflow feed …`: publishes candles into a Kafka topic; returns the exit code. `deps.exchange` builds the
 * exchange of `--exchange` (default: the ccxt class of that id).
 */
export async function feedCommand(argv: readonly string[], deps: { readonly exchange?: ExchangeFactory } = {}): Promise<number> {
  const flags = parseFeedFlags(argv);
  if (flags.help) {
    process.stdout.write(`${FEED_USAGE}\n`);
    return 0;
  }
  const feed = flags.exchange;
  const source =
    feed !== undefined
      ? exchangeCandles(await (deps.exchange ?? ccxtExchange)(feed.id), feed, (err) => log(`--exchange ${feed.id}: ${err.message}`))
      : flags.demo
        ? demoSource()
        : candleFiles(flags.files.map((f) => ({ ...f, interval: flags.interval })));
  // Only now: kafkajs is loaded by the commands that talk to Kafka.
  const { ensureTopics, publishCandles } = await import('../kafka.js');
  const brokers = flags.brokers.join(',');
  if (flags.partitions !== undefined) {
    let created: string[];
    try {
      created = await ensureTopics({ brokers: [...flags.brokers], topics: [{ topic: flags.topic, partitions: flags.partitions }] });
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      throw new UserError(`--kafka-brokers ${brokers}: cannot create topic ${flags.topic}: ${err.name}: ${err.message}`, { cause: err });
    }
    if (created.length > 0) log(`created topic ${flags.topic} with ${flags.partitions} partition(s)`);
  }
  // The sink's retry messages name the cause; the last one explains a final failure better than kafkajs's wrapper.
  let lastFailure: string | undefined;
  let result: Awaited<ReturnType<typeof publishCandles>>;
  try {
    result = await publishCandles({
      brokers: [...flags.brokers],
      topic: flags.topic,
      source,
      maxRetries: flags.retries,
      onError: (message) => {
        lastFailure = message;
        log(message);
      },
    });
  } catch (err) {
    // A permanent exchange failure (an unknown symbol) or transient ones past their retries: one line, exit 2.
    if (feed !== undefined && err instanceof Error && err.name === 'ExchangeFetchError') {
      throw new UserError(`--exchange ${feed.id}: ${err.message}`, { cause: err });
    }
    if (isUserError(err) || !isKafkaError(err)) throw err;
    const cause = lastFailure ?? `${err.name}: ${err.message}`;
    throw new UserError(`--kafka-brokers ${brokers}: giving up after ${flags.retries + 1} attempt(s): ${cause}`, { cause: err });
  }
  const symbols = Object.entries(result.bySymbol).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(0, ...symbols.map(([s]) => s.length));
  process.stdout.write(`Published ${result.published} candle(s) to ${flags.topic} on ${brokers}\n`);
  for (const [symbol, n] of symbols) process.stdout.write(`  ${symbol.padEnd(width)}  ${n}\n`);
  return 0;
}
