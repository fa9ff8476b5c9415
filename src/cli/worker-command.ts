import { hostname } from 'node:os';
import { EXIT } from './exit-codes.js';
import { loadStrategies } from './load-module.js';
import { UserError } from './user-error.js';
import { parseWorkerFlags, WORKER_USAGE } from './worker-args.js';

/** `tickflow worker …`: evaluates trial batches until SIGINT or SIGTERM; returns the exit code. */
export async function workerCommand(argv: readonly string[]): Promise<number> {
  const flags = parseWorkerFlags(argv);
  if (flags.help) {
    process.stdout.write(`${WORKER_USAGE}\n`);
    return EXIT.ok;
  }
  const { TrialWorker } = await import('../distributed/trial-worker.js');
  const { ensureStudyTopics } = await import('../distributed/study-topics.js');
  const { CandleStore } = await import('../store/candle-store.js');
  // A missing or damaged store is told now, not at the first batch.
  await CandleStore.open({ path: flags.data!, readOnly: true }).close();
  const brokers = flags['kafka-brokers']!;
  await ensureStudyTopics(brokers, flags['trials-topic'], flags['results-topic']);
  const worker = await TrialWorker.start({
    brokers,
    group: flags.group!,
    data: flags.data!,
    trialsTopic: flags['trials-topic'],
    resultsTopic: flags['results-topic'],
    worker: flags.name ?? `${hostname()}-${process.pid}`,
    log: (line) => process.stdout.write(`${line}\n`),
    loadStrategy: async (path) => {
      const strategies = await loadStrategies(path);
      if (strategies.length !== 1) throw new UserError(`strategy module ${path}: a study searches one strategy, the module exports ${strategies.length}`);
      return strategies[0]!;
    },
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.stop();
  return EXIT.ok;
}
