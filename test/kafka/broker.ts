import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { alive } from '../../src/cli/live-lock.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts/kafka.sh');

/** Set to use a broker someone else runs (e.g. a CI service); the tests then never start or stop one. */
export const externalBrokers = process.env.TICKFLOW_KAFKA_BROKERS;

export const localBrokers = `127.0.0.1:${process.env.TICKFLOW_KAFKA_PORT ?? '19092'}`;

/** `scripts/kafka.sh <command>`; a cold `up` fetches Kafka from Maven Central first, so allow minutes. */
export async function kafkaScript(command: 'up' | 'down' | 'status'): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(script, [command], { timeout: 600_000 });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    if (command === 'status' && e.code === 3) return { ok: false, output: e.stdout ?? '' };
    throw new Error(`scripts/kafka.sh ${command} failed: ${e.stderr || e.message}`);
  }
}

// Several test runs may share one checkout (and so one broker). Each run holds a lease while it uses the broker;
// the broker is stopped by the last run to leave, and only if a test run started it (a developer's stays up).
const dir = process.env.TICKFLOW_KAFKA_DIR ?? join(root, '.tmp/kafka');
const leases = join(dir, 'leases');
const startedByTests = join(dir, 'started-by-tests');

/**
 * Start the broker if needed and hold a lease on it. `shared`: another test run holds a lease too, so this run
 * must not stop or restart the broker under it.
 */
export async function acquireBroker(): Promise<{ shared: boolean; release: () => Promise<void> }> {
  await mkdir(leases, { recursive: true });
  // Leases of runs that were killed before their teardown.
  for (const name of await readdir(leases)) if (!alive(Number(name))) await rm(join(leases, name), { force: true });
  const mine = join(leases, String(process.pid));
  await writeFile(mine, '');
  const before = await kafkaScript('status');
  await kafkaScript('up');
  if (!before.ok) await writeFile(startedByTests, '');
  const shared = (await readdir(leases)).some((name) => Number(name) !== process.pid && alive(Number(name)));
  const release = async () => {
    await rm(mine, { force: true });
    const others = (await readdir(leases)).map(Number).filter((pid) => pid !== process.pid && alive(pid));
    if (others.length > 0) return;
    const ours = await rm(startedByTests).then(
      () => true,
      () => false,
    );
    if (ours) await kafkaScript('down');
  };
  return { shared, release };
}
