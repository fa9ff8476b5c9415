import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, SHARED_DATA } from '../e2e/run-cli.js';
import { scratch } from './cli-fixtures.js';
import { brokers, unique, until } from './helpers.js';

const DATA = join(SHARED_DATA, 'ETH_BTC-1m.json');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`cli-distributed-study: ${DATA} is missing: the distributed studies are skipped`);
const STRATEGY = fileURLToPath(new URL('./fixtures/held-sma-cross.mjs', import.meta.url));
const tmp = scratch('tickflow-distributed');
const STUDY = ['--candles', DATA, '--symbol', 'ETH/BTC', '--strategy', STRATEGY, '--sampler', 'random', '--trials', '12', '--seed', '23', '--batch-size', '6', '--timerange', '2018-01-22..2018-01-28T12:00'];

interface Proc {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly exited: Promise<number | null>;
}
const running: Proc[] = [];
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  tmp.remove();
});

function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const p = { child, out: () => out, exited };
  running.push(p);
  return p;
}

/** A worker with its own candle store filled from the study's file (as on another machine). */
function worker(name: string, group: string, topics: string[], env: Record<string, string> = {}): Proc {
  const store = join(tmp.dir, `store-${name}-${group}`);
  const imported = runCli(['data', 'import', DATA, '--symbol', 'ETH/BTC', '--data', store]);
  expect(imported.code, imported.stderr).toBe(0);
  return start(['worker', '--kafka-brokers', brokers, '--group', group, '--data', store, '--name', name, ...topics], env);
}

/** Each worker's last join has given it its share of the trials topic's 12 partitions (the group is settled). */
async function untilSettled(workers: Proc[]): Promise<void> {
  const lastShare = (p: Proc) => [...p.out().matchAll(/joined group \S+, partitions (\S+) of/g)].at(-1)?.[1];
  await until(() => workers.every((w) => lastShare(w)?.split(',').length === 12 / workers.length), () => `a settled group: ${workers.map((w) => lastShare(w) ?? '-').join(' | ')}`);
}

let local: string;
beforeAll(() => {
  if (!HAVE_DATA) return;
  const report = join(tmp.dir, 'local');
  const r = runCli(['optimize', ...STUDY, '--report', report]);
  expect(r.code, r.stderr).toBe(0);
  local = readFileSync(join(report, 'optimize.json'), 'utf8');
}, 120_000);

describe.skipIf(!HAVE_DATA)('tickflow optimize --distributed with tickflow worker processes', () => {
  it('three workers give a byte-identical optimize.json to the local study with the same seed', async () => {
    const group = unique('workers');
    const topics = ['--trials-topic', unique('trials'), '--results-topic', unique('results')];
    const workers = ['w1', 'w2', 'w3'].map((n) => worker(n, group, topics));
    await untilSettled(workers);
    const report = join(tmp.dir, 'three');
    const coordinator = start(['optimize', ...STUDY, '--report', report, '--kafka-brokers', brokers, '--distributed', '--workers', '3', ...topics]);
    expect(await coordinator.exited, coordinator.out()).toBe(0);
    expect(readFileSync(join(report, 'optimize.json'), 'utf8')).toBe(local);
    const answered = workers.filter((w) => /answered/.test(w.out()));
    expect(answered.length).toBeGreaterThanOrEqual(2);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect(await w.exited).toBe(0);
  }, 180_000);

  it('tpe (proposals from the results of earlier batches, in trial-id order) gives the local study too, with two workers', async () => {
    const tpe = STUDY.map((a) => (a === 'random' ? 'tpe' : a));
    const localReport = join(tmp.dir, 'tpe-local');
    const r = runCli(['optimize', ...tpe, '--report', localReport]);
    expect(r.code, r.stderr).toBe(0);
    const group = unique('workers');
    const topics = ['--trials-topic', unique('trials'), '--results-topic', unique('results')];
    const workers = ['t1', 't2'].map((n) => worker(n, group, topics));
    await untilSettled(workers);
    const report = join(tmp.dir, 'tpe');
    const coordinator = start(['optimize', ...tpe, '--report', report, '--kafka-brokers', brokers, '--distributed', '--workers', '2', ...topics]);
    expect(await coordinator.exited, coordinator.out()).toBe(0);
    expect(readFileSync(join(report, 'optimize.json'), 'utf8')).toBe(readFileSync(join(localReport, 'optimize.json'), 'utf8'));
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect(await w.exited).toBe(0);
  }, 180_000);

  it('a worker SIGKILLed holding a batch: the batch goes to another worker and the report is still byte-identical', async () => {
    const group = unique('workers');
    const topics = ['--trials-topic', unique('trials'), '--results-topic', unique('results')];
    const victim = worker('victim', group, topics, { TICKFLOW_TEST_HOLD: '1' });
    const others = ['w1', 'w2'].map((n) => worker(n, group, topics));
    await untilSettled([victim, ...others]);
    const report = join(tmp.dir, 'killed');
    const coordinator = start(['optimize', ...STUDY, '--report', report, '--kafka-brokers', brokers, '--distributed', '--workers', '3', ...topics]);
    await until(() => /batch \d+ of study \S+ taken/.test(victim.out()), () => `the victim taking a batch: ${victim.out()}`);
    const [, batch, study] = /batch (\d+) of study (\S+) taken/.exec(victim.out())!;
    victim.child.kill('SIGKILL');
    expect(await coordinator.exited, coordinator.out()).toBe(0);
    expect(readFileSync(join(report, 'optimize.json'), 'utf8')).toBe(local);
    expect(others.some((w) => w.out().includes(`batch ${batch} of study ${study} answered`))).toBe(true);
    for (const w of others) w.child.kill('SIGTERM');
    for (const w of others) expect(await w.exited).toBe(0);
  }, 240_000);
});
