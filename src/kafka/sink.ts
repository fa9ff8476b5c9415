import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import type { EventOf, SignalEvent } from '../core/events.js';
import { OrderedBatcher } from './batcher.js';
import { BrokersSchema, createIdempotentProducer, createKafka, describeError } from './client.js';
import { fn, GateSchema, parseOptions, ProducerSchema } from './options.js';
import { eventMessage, type EventRoute } from './route.js';

export const ToKafkaOptionsSchema = z
  .strictObject({
    /** Brokers to connect to; the sink then owns an idempotent producer (connects it, disconnects it at the end). */
    brokers: BrokersSchema.optional(),
    /** Or a connected kafkajs producer you own (create it with `idempotent: true, maxInFlightRequests: 1`). */
    producer: ProducerSchema.optional(),
    /** Every event to this topic … */
    topic: z.string().min(1).optional(),
    /** … or each event to the topic(s) this returns (see `routeByAction`). */
    route: fn<EventRoute>('route').optional(),
    clientId: z.string().min(1).optional(),
    /** Events buffered or awaiting the broker's acknowledgement before the sink holds `gate` (default 2000). */
    maxInFlight: z.number().int().positive().default(2_000),
    /**
     * Events per produce request (default 500). Batches form only while a send is in flight, so a quiet live stream
     * still sends each event at once; a replay fills them and gains throughput.
     */
    batchSize: z.number().int().positive().default(500),
    /**
     * Bytes (keys, values, headers) per produce request (default 512 KiB). Keep it below the broker's
     * `message.max.bytes` (1 MiB by default): the broker refuses a larger batch on every retry.
     */
    maxBatchBytes: z.number().int().positive().default(512 * 1024),
    /**
     * The gate of the pipeline's source (e.g. `backtest({ gate })`): held while the buffer is full so the source
     * waits. Without it the sink cannot slow a push source down and buffers whatever arrives.
     */
    gate: GateSchema.optional(),
    /** Failed attempts per batch before the stream errors (default: retry forever — no event is dropped). */
    maxRetries: z.number().int().nonnegative().optional(),
    /** Told of each failed attempt (the `error` event also goes downstream) with the underlying error. */
    onError: fn<(event: EventOf<'error'>, cause: unknown) => void>('onError').optional(),
    /** kafkajs log level for an owned client (default: nothing; failures are reported as `error` events). */
    logLevel: z.number().int().optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.brokers === undefined) === (o.producer === undefined)) {
      ctx.addIssue({ code: 'custom', message: "give exactly one of 'brokers' and 'producer'" });
    }
    if ((o.topic === undefined) === (o.route === undefined)) {
      ctx.addIssue({ code: 'custom', message: "give exactly one of 'topic' and 'route'" });
    }
  });

export type ToKafkaOptions = z.input<typeof ToKafkaOptionsSchema>;

export class KafkaSinkError extends Error {
  override readonly name = 'KafkaSinkError';
}

/**
 * Publishes every event to Kafka and passes it on once the broker has acknowledged it, in the order received —
 * so whatever follows (statistics, a report, a checkpoint) only ever sees events that are durably in Kafka, and
 * completion means everything is flushed.
 *
 * Records are the event contract as JSON, keyed `symbol|strategy` (a lane's events share a partition and stay in
 * order) with headers `action` and `eventId`. The producer is idempotent and sends one ordered batch at a time. When
 * the broker is unavailable the same batch is retried with backoff; each failed attempt is reported as an `error`
 * event downstream (symbol and strategy `*`) and to `onError`; nothing is dropped. Delivery is at least once: a
 * consumer de-duplicates by `eventId`.
 *
 * Backpressure: at most `maxInFlight` events wait for the broker (plus the events of the candle being processed);
 * then the sink holds `gate` and a gated source pauses. Share one gate between the pipeline and the sink.
 *
 * @example
 * ```ts
 * import { backtest, FlowGate, replayCandles } from 'tickflow';
 * import { routeByAction, toKafka } from 'tickflow/kafka';
 *
 * const gate = new FlowGate();
 * backtest({ source: replayCandles(data), strategies, gate })
 *   .pipe(toKafka({ brokers: '127.0.0.1:9092', route: routeByAction({ '*': 'signals', closed: 'signals-closed' }), gate }))
 *   .subscribe({ complete: () => console.log('all events are in Kafka') });
 * ```
 */
export function toKafka(options: ToKafkaOptions): MonoTypeOperatorFunction<SignalEvent> {
  const o = parseOptions(ToKafkaOptionsSchema, options, 'toKafka');
  const topic = o.topic;
  const route: EventRoute = o.route ?? (() => topic!);
  return (source) =>
    new Observable<SignalEvent>((subscriber) => {
      const owned = o.producer === undefined;
      const producer =
        o.producer ??
        createIdempotentProducer(createKafka({ brokers: o.brokers!, clientId: o.clientId, logLevel: o.logLevel }));
      let connected = !owned;
      let closed = false;
      const batcher = new OrderedBatcher<SignalEvent>({
        send: async (topicMessages) => {
          if (!connected) {
            await producer.connect();
            connected = true;
            // Unsubscribed while connecting: the teardown's disconnect may have run before this connect finished.
            if (closed) return void (await producer.disconnect());
          }
          await producer.sendBatch({ topicMessages, acks: -1 });
        },
        maxInFlight: o.maxInFlight,
        batchSize: o.batchSize,
        maxBatchBytes: o.maxBatchBytes,
        gate: o.gate,
        maxRetries: o.maxRetries,
        acked: (events) => {
          for (const e of events) subscriber.next(e);
        },
        failed: (err, attempt, delayMs, events) => {
          const event = sinkError(err, attempt, delayMs, events, route);
          o.onError?.(event, err);
          subscriber.next(event);
        },
        fatal: (err) => {
          const message = `toKafka: giving up after ${o.maxRetries! + 1} attempts: ${describeError(err)}`;
          subscriber.error(new KafkaSinkError(message, { cause: err }));
        },
      });
      const upstream = source.subscribe({
        next: (event) => {
          let topics: string | readonly string[];
          try {
            topics = route(event);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          const message = eventMessage(event);
          const list = typeof topics === 'string' ? [topics] : topics;
          batcher.push(
            event,
            list.map((t) => ({ topic: t, message })),
          );
        },
        // Flush what arrived before the error: those events are valid and were promised to Kafka.
        error: (err: unknown) => void batcher.drained().then(() => subscriber.error(err), () => subscriber.error(err)),
        complete: () => void batcher.drained().then(() => subscriber.complete(), () => undefined),
      });
      return () => {
        closed = true;
        upstream.unsubscribe();
        batcher.close();
        if (owned) void producer.disconnect().catch(() => undefined);
      };
    });
}

function sinkError(
  err: unknown,
  attempt: number,
  delayMs: number,
  events: readonly SignalEvent[],
  route: EventRoute,
): EventOf<'error'> {
  const first = events[0]!;
  const topics = new Set<string>();
  for (const e of events) {
    const t = route(e);
    for (const name of typeof t === 'string' ? [t] : t) topics.add(name);
  }
  return {
    action: 'error',
    // Deterministic (SEMANTICS §8): the batch's first event and the attempt, never the wall clock.
    eventId: `kafka|${first.eventId}|attempt:${attempt}`,
    symbol: '*',
    strategy: '*',
    now: first.now,
    message:
      `toKafka: publishing ${events.length} event(s) to ${[...topics].join(', ')} failed ` +
      `(attempt ${attempt}, retrying in ${delayMs} ms): ${describeError(err)}`,
  };
}
