import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { resolveConfig } from '../../src/core/config.js';
import { withParams, type Strategy } from '../../src/core/strategy.js';
import { loadStrategies } from '../../src/cli/load-module.js';
import { BatchEvaluator } from '../../src/distributed/batch-evaluation.js';
import { dataSpecOf, fileSha256 } from '../../src/distributed/data-hash.js';
import { decodeMessage, encodeMessage, TrialResultSchema, type TrialBatch } from '../../src/distributed/messages.js';
import { evaluateCandidates } from '../../src/pipelines/optimize.js';
import { CandleStore } from '../../src/store/candle-store.js';
import { replayCandles } from '../../src/sources/replay.js';
import { syntheticCandles } from '../../src/sources/synthetic.js';

const SYMBOL = 'AAA/USD';
const dir = mkdtempSync(join(tmpdir(), 'tickflow-dist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const strategyPath = resolve(__dirname, '../../examples/sma-cross.mjs');
let candles: Candle[];
let strategy: Strategy;
const loadStrategy = async (p: string) => (await loadStrategies(p))[0]!;

async function storeWith(name: string, rows: Candle[]): Promise<string> {
  const path = join(dir, name);
  const store = CandleStore.open({ path });
  store.putCandles(SYMBOL, '1m', rows);
  await store.close();
  return path;
}

beforeAll(async () => {
  const all = await lastValueFrom(syntheticCandles({ symbols: [SYMBOL], start: Date.UTC(2024, 0, 1), count: 3 * 1440, seed: 5 }).pipe(toArray()));
  candles = all.map((c) => c.candle);
  strategy = await loadStrategy(strategyPath);
});

async function batchFor(params: Array<Record<string, number>>): Promise<TrialBatch> {
  const data = (await dataSpecOf(replayCandles({ [SYMBOL]: candles })))!;
  return {
    v: 1,
    study: 's1',
    batch: 0,
    strategy: { path: strategyPath, sha256: await fileSha256(strategyPath) },
    config: { ...resolveConfig({}) },
    timerange: null,
    data,
    trials: params.map((p, i) => ({ id: i + 1, name: withParams(strategy, p).name, params: p })),
  };
}

describe('a worker evaluating a trial batch from its candle store', () => {
  it('gives each trial exactly what a local one-pass evaluation of the same candles gives, also after the trip through a message', async () => {
    const data = await storeWith('same', candles);
    const params = [{ fast: 5, slow: 20 }, { fast: 9, slow: 30 }, { fast: 3, slow: 15 }];
    const results = await new BatchEvaluator({ worker: 'w1', data, loadStrategy }).evaluate(await batchFor(params));
    const local = await evaluateCandidates(replayCandles({ [SYMBOL]: candles }), params.map((p) => withParams(strategy, p)), resolveConfig({}), undefined);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results.some((r) => r.ok && r.result.closed.length > 0)).toBe(true);
    for (const r of results) {
      const back = decodeMessage(TrialResultSchema, encodeMessage(r), 'test');
      if (!back.ok) throw new Error(back.error);
      const want = local.get(r.name)!;
      expect(back.result.statistics).toEqual(want.statistics);
      expect(back.result.closed).toEqual(want.closed);
      expect(back.result.errors).toBe(want.errors);
    }
  });

  it('refuses a batch whose candles differ from its store (one close changed), naming the worker and the store, computing nothing', async () => {
    const changed = candles.map((c, i) => (i === 100 ? { ...c, close: c.close * 1.0001, high: Math.max(c.high, c.close * 1.0001) } : c));
    const data = await storeWith('changed', changed);
    const results = await new BatchEvaluator({ worker: 'w2', data, loadStrategy }).evaluate(await batchFor([{ fast: 5, slow: 20 }]));
    expect(results).toHaveLength(1);
    expect(results[0]!.ok).toBe(false);
    expect(!results[0]!.ok && results[0]!.error).toContain(`worker w2 refuses batch 0 of study s1: its candle store ${data} holds different candles for ${SYMBOL} 1m`);
  });

  it('refuses a batch whose strategy module differs from the file at that path', async () => {
    const data = await storeWith('same2', candles);
    const copy = join(dir, 'sma-cross.mjs');
    copyFileSync(strategyPath, copy);
    writeFileSync(copy, '// edited\n', { flag: 'a' });
    const batch = { ...(await batchFor([{ fast: 5, slow: 20 }])), strategy: { path: copy, sha256: await fileSha256(strategyPath) } };
    const [r] = await new BatchEvaluator({ worker: 'w3', data, loadStrategy }).evaluate(batch);
    expect(!r!.ok && r!.error).toContain(`its strategy module ${copy} differs from the study's`);
  });
});

describe('trial messages', () => {
  it('carry NaN, ±Infinity and -0 as themselves (JSON alone turns them into null or 0)', () => {
    const value = { v: 1, study: 's', batch: 0, trial: 1, name: 'x', worker: 'w', ok: true, result: { statistics: { a: Infinity, b: -Infinity, c: NaN, d: -0, e: 1.5 }, closed: [], errors: 0 } };
    const back = decodeMessage(TrialResultSchema, encodeMessage(value), 'test');
    expect(back).toEqual(value);
    expect(Object.is(back.ok && back.result.statistics.d, -0)).toBe(true);
  });

  it('a malformed message is one error naming where it was read and the field', () => {
    expect(() => decodeMessage(TrialResultSchema, Buffer.from('{"v":1,"study":"s"}'), 'results[0]@7')).toThrow(/^results\[0\]@7: /);
  });
});
