import { isObservable, type Observable } from 'rxjs';
import { z } from 'zod';
import type { SymbolCandle } from '../core/candle.js';
import { OrderedBatcher } from './batcher.js';
import { BrokersSchema, createIdempotentProducer, createKafka, describeError } from './client.js';
import { fn, parseOptions, ProducerSchema } from './options.js';
import { isCandleSource } from '../sources/candle-source.js';
import { FlowGate } from '../core/flow-gate.js';
import { candleMessage } from './candle-message.js';

export const PublishCandlesOptionsSchema = z
  .strictObject({
    /** Brokers to connect to (the feed owns its producer) … */
    brokers: BrokersSchema.optional(),
    /** … or a connected kafkajs producer you own. */
    producer: ProducerSchema.optional(),
    topic: z.string().min(1),
    /** Candles to publish: any tickflow source (files, ccxt, replay, synthetic) or Observable of candles. */
    source: z.custom<Observable<SymbolCandle>>((s) => isObservable(s), 'source must be an Observable of candles'),
    clientId: z.string().min(1).optional(),
    /** Candles awaiting acknowledgement before a tickflow source is paused (default 5000). */
    maxInFlight: z.number().int().positive().default(5_000),
    /** Candles per produce request (default 500). */
    batchSize: z.number().int().positive().default(500),
    /** Bytes per produce request (default 512 KiB): below the broker's `message.max.bytes`, or it refuses them. */
    maxBatchBytes: z.number().int().positive().default(512 * 1024),
    /** Failed attempts per batch before giving up (default: retry forever). */
    maxRetries: z.number().int().nonnegative().optional(),
    /** Told of each failed attempt (it is retried) with a message naming the cause. */
    onError: fn<(message: string, cause: unknown) => void>('onError').optional(),
    /** Stop early: the promise rejects with the signal's reason. */
    signal: z.custom<AbortSignal>((s) => s instanceof AbortSignal, 'signal must be an AbortSignal').optional(),
    logLevel: z.number().int().optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.brokers === undefined) === (o.producer === undefined)) {
      ctx.addIssue({ code: 'custom', message: "give exactly one of 'brokers' and 'producer'" });
    }
  });

export type PublishCandlesOptions = z.input<typeof PublishCandlesOptionsSchema>;

export interface PublishResult {
  /** Candles acknowledged by the broker. */
  readonly published: number;
  /** The same, per symbol. */
  readonly bySymbol: Readonly<Record<string, number>>;
}

/**
 * Publishes candles from any source into a topic, keyed by symbol (one symbol per partition, in order), as the
 * records {@link kafkaCandles} reads. Resolves once every candle is acknowledged; a failing source rejects after
 * what it delivered before the failure is published. A tickflow source is paused while `maxInFlight` candles wait
 * for the broker; an unavailable broker is retried with backoff (reported to `onError`), nothing is dropped.
 *
 * @example
 * ```ts
 * const { published, bySymbol } = await publishCandles({ brokers: '127.0.0.1:9092', topic: 'candles', source: replayCandles(data) });
 * ```
 */
export function publishCandles(options: PublishCandlesOptions): Promise<PublishResult> {
  const o = parseOptions(PublishCandlesOptionsSchema, options, 'publishCandles');
  return new Promise<PublishResult>((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason);
    const owned = o.producer === undefined;
    const producer =
      o.producer ??
      createIdempotentProducer(createKafka({ brokers: o.brokers!, clientId: o.clientId, logLevel: o.logLevel }));
    let connected = !owned;
    let published = 0;
    const bySymbol = new Map<string, number>();
    let settled = false;
    const gate = new FlowGate();
    const finish = (err: unknown, ok: boolean) => {
      if (settled) return;
      settled = true;
      upstream?.unsubscribe();
      batcher.close();
      o.signal?.removeEventListener('abort', onAbort);
      const done = owned ? producer.disconnect().catch(() => undefined) : Promise.resolve();
      void done.then(() => (ok ? resolve({ published, bySymbol: Object.fromEntries(bySymbol) }) : reject(err)));
    };
    const batcher = new OrderedBatcher<SymbolCandle>({
      send: async (topicMessages) => {
        if (!connected) {
          await producer.connect();
          connected = true;
        }
        await producer.sendBatch({ topicMessages, acks: -1 });
      },
      maxInFlight: o.maxInFlight,
      batchSize: o.batchSize,
      maxBatchBytes: o.maxBatchBytes,
      gate,
      maxRetries: o.maxRetries,
      acked: (candles) => {
        published += candles.length;
        for (const c of candles) bySymbol.set(c.symbol, (bySymbol.get(c.symbol) ?? 0) + 1);
      },
      failed: (err, attempt, delayMs, candles) => {
        o.onError?.(
          `publishCandles: sending ${candles.length} candle(s) to ${o.topic} failed ` +
            `(attempt ${attempt}, retrying in ${delayMs} ms): ${describeError(err)}`,
          err,
        );
      },
      fatal: (err) => finish(err, false),
    });
    const onAbort = () => finish(o.signal!.reason, false);
    o.signal?.addEventListener('abort', onAbort);
    const source = isCandleSource(o.source) ? o.source.withGate(gate) : o.source;
    let upstream: { unsubscribe(): void } | undefined;
    upstream = source.subscribe({
      next: (c) => batcher.push(c, [{ topic: o.topic, message: candleMessage(c) }]),
      error: (err: unknown) => void batcher.drained().then(() => finish(err, false), () => finish(err, false)),
      complete: () => void batcher.drained().then(() => finish(undefined, true), (err) => finish(err, false)),
    });
    if (settled) upstream.unsubscribe();
  });
}
