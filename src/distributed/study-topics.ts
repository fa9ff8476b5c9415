import type { Brokers } from '../kafka/client.js';
import { ensureTopics } from '../kafka/topics.js';
import { TRIALS_PARTITIONS } from './messages.js';

/**
 * Creates a study's topics when missing: the trials topic partitioned (its partitions are shared by the workers) and
 * the results topic compacted (the last result of each `study/trialId` is kept). Both sides call it, so a worker
 * started first does not leave the broker to create a one-partition topic.
 */
export async function ensureStudyTopics(brokers: Brokers, trialsTopic: string, resultsTopic: string): Promise<void> {
  await ensureTopics({
    brokers,
    topics: [
      { topic: trialsTopic, partitions: TRIALS_PARTITIONS },
      { topic: resultsTopic, partitions: 1, config: { 'cleanup.policy': 'compact' } },
    ],
  });
}
