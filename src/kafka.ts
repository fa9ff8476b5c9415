// The `tickflow/kafka` entry: everything that needs kafkajs, so a plain backtest never loads it. Re-exports only.
export { toKafka, ToKafkaOptionsSchema, KafkaSinkError, type ToKafkaOptions } from './sinks/kafka.js';
export { routeByAction, laneKey, eventMessage, type EventRoute, type ActionRoutes } from './sinks/kafka-route.js';
export { ensureTopics, ensureChangelogTopic, EnsureTopicsOptionsSchema, type EnsureTopicsOptions, type ChangelogTopicOptions } from './sinks/kafka-topics.js';
export {
  createKafka,
  createIdempotentProducer,
  describeError as describeKafkaError,
  BrokersSchema,
  LogLevel,
  type Brokers,
  type KafkaClientOptions,
} from './sinks/kafka-client.js';
export { KafkaOptionsError } from './sinks/kafka-options.js';
export {
  kafkaCandles,
  KafkaCandleSource,
  KafkaCandlesOptionsSchema,
  KafkaSourceError,
  type KafkaCandle,
  type KafkaCandleProblem,
  type KafkaCandlesOptions,
  type KafkaOrigin,
} from './sources/kafka-candles.js';
export {
  publishCandles,
  PublishCandlesOptionsSchema,
  type PublishCandlesOptions,
  type PublishResult,
} from './sources/kafka-feed.js';
export {
  CandleMessageSchema,
  CandleMessageError,
  candleMessage,
  parseCandleMessage,
} from './sources/kafka-candle-message.js';
export { liveFromKafka, LiveFromKafkaOptionsSchema, type LiveFromKafkaOptions } from './pipelines/live-kafka.js';
export {
  ChangelogMessageSchema,
  ChangelogMessageError,
  changelogKey,
  changelogMessage,
  parseChangelogMessage,
} from './store/changelog-message.js';
