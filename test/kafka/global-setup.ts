import type { TestProject } from 'vitest/node';
import { acquireBroker, externalBrokers, localBrokers } from './broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    /** Whether the tests may stop and restart the broker: the one scripts/kafka.sh runs, used by no other run. */
    kafkaRestartable: boolean;
  }
}

/**
 * Starts the real broker (scripts/kafka.sh) for the `kafka` project only, and stops it afterwards unless someone
 * else is using it or a developer started it. `TICKFLOW_KAFKA_BROKERS` points the tests at an existing broker.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (externalBrokers) {
    project.provide('kafkaBrokers', externalBrokers);
    project.provide('kafkaRestartable', false);
    return undefined;
  }
  const { shared, release } = await acquireBroker();
  project.provide('kafkaBrokers', localBrokers);
  project.provide('kafkaRestartable', !shared);
  return release;
}
