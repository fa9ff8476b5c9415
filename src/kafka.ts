// The `tickflow/kafka` entry: everything that needs kafkajs, so a plain backtest never loads it. Re-exports only.
export { toKafka, ToKafkaOptionsSchema, KafkaSinkError, type ToKafkaOptions } from './kafka/sink.js';
export { routeByAction, laneKey, eventMessage, type EventRoute, type ActionRoutes } from './kafka/route.js';
export { ensureTopics, ensureChangelogTopic, EnsureTopicsOptionsSchema, type EnsureTopicsOptions, type ChangelogTopicOptions } from './kafka/topics.js';
export {
  createKafka,
  createIdempotentProducer,
  describeError as describeKafkaError,
  BrokersSchema,
  LogLevel,
  type Brokers,
  type KafkaClientOptions,
} from './kafka/client.js';
export { KafkaOptionsError } from './kafka/options.js';
export {
  kafkaCandles,
  KafkaCandleSource,
  KafkaCandlesOptionsSchema,
  KafkaSourceError,
  type KafkaCandle,
  type KafkaCandleProblem,
  type KafkaCandlesOptions,
  type KafkaOrigin,
} from './kafka/candles.js';
export {
  publishCandles,
  PublishCandlesOptionsSchema,
  type PublishCandlesOptions,
  type PublishResult,
} from './kafka/feed.js';
export {
  CandleMessageSchema,
  CandleMessageError,
  candleMessage,
  parseCandleMessage,
} from './kafka/candle-message.js';
export { liveFromKafka, LiveFromKafkaOptionsSchema, type LiveFromKafkaOptions } from './kafka/live-node.js';
export {
  ChangelogMessageSchema,
  ChangelogMessageError,
  changelogKey,
  changelogMessage,
  parseChangelogMessage,
} from './kafka/changelog-message.js';
