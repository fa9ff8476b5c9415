import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStrategies, type GenerateEvent, type GenerateResult } from '../../src/generate/study.js';
import { candleFile } from '../../src/sources/files.js';
import { LlmServer } from '../support/llm-server.js';
import { tempDir } from '../support/temp-store.js';
import { answerFromFixtures, ETH_1M, EXPECTED, FIRST_ROUND, HAVE_DATA } from './llm-fixtures.js';

const DAY = 86_400_000;
const server = new LlmServer({ models: ['qwen2.5-coder:14b'], answer: answerFromFixtures });
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => server.start());
afterAll(async () => {
  await server.stop();
  for (const c of cleanups) await c();
});

describe.skipIf(!HAVE_DATA)('generateStrategies on real ETH/BTC candles, answers from the recorded fixtures', () => {
  let events: GenerateEvent[];
  let result: GenerateResult;

  it('asks K candidates then refines the survivors; every bad answer is rejected with its reason; survivors are walked forward and ranked', async () => {
    const dir = await tempDir('tickflow-generate-');
    cleanups.push(dir.cleanup);
    events = await lastValueFrom(
      generateStrategies({
        source: candleFile(ETH_1M, { symbol: 'ETH/BTC' }),
        train: 3 * DAY,
        test: 2 * DAY,
        holdout: DAY,
        candidates: FIRST_ROUND.length,
        rounds: 2,
        llm: { host: server.url },
        cache: `${dir.path}/cache`,
        seed: 5,
        sandbox: { budgetMs: 2_000 },
        periodMs: 4 * 3_600_000,
        splits: 8,
        runs: 100,
      }).pipe(toArray()),
    );
    result = (events.at(-1) as Extract<GenerateEvent, { type: 'result' }>).result;
    const candidates = events.filter((e) => e.type === 'candidate');
    expect(candidates).toHaveLength(FIRST_ROUND.length + 3);

    // Round 1: each fixture's verdict; round 2: refinements of the three survivors.
    const first = result.candidates.filter((c) => c.round === 1);
    expect(first.map((c) => (c.verdict === 'accepted' ? 'accepted' : c.kind))).toEqual(FIRST_ROUND.map((name) => EXPECTED[name]));
    const second = result.candidates.filter((c) => c.round === 2);
    expect(second.map((c) => [c.id, c.parent, c.verdict])).toEqual([
      ['r2c01', 'r1c01', 'accepted'],
      ['r2c02', 'r1c02', 'accepted'],
      ['r2c03', 'r1c03', 'accepted'],
    ]);
    // The three refinements are the same code: the later two are flagged as duplicates of the first.
    expect(second.map((c) => c.duplicateOf)).toEqual([null, { of: 'r2c01', correlation: null }, { of: 'r2c01', correlation: null }]);

    // Every survivor went through walk-forward on the two folds (3d train + 2 × 2d test fit in the 9 days before the holdout); the best has the highest out-of-sample objective.
    expect(result.folds.folds).toHaveLength(2);
    expect(result.folds.holdout).not.toBeNull();
    const survivors = result.candidates.filter((c) => c.verdict === 'accepted');
    for (const s of survivors) expect(s.walkForward!.folds).toHaveLength(2);
    const withObjective = survivors.filter((s) => s.walkForward!.objective !== null);
    expect(withObjective.length).toBeGreaterThan(0);
    const top = Math.max(...withObjective.map((s) => s.walkForward!.objective!));
    expect(result.best).toBe(withObjective.find((s) => s.walkForward!.objective === top)!.id);
    // The parameterised survivor's folds chose among its space; the others ran as they are (one trial per fold).
    expect(result.candidates[0]!.walkForward!.trials).toBeGreaterThan(2);
    expect(result.candidates[1]!.walkForward!.trials).toBe(2);

    // N counts every candidate: each rejected one once, each survivor's every walk-forward trial.
    const rejected = result.candidates.filter((c) => c.verdict === 'rejected').length;
    expect(rejected).toBe(7);
    expect(result.overfitting.trials).toBe(rejected + survivors.reduce((n, s) => n + s.walkForward!.trials, 0));
    expect(result.overfitting.dsr!.N).toBe(result.overfitting.trials);
    expect(result.returns.trials).toEqual(result.candidates.map((c) => c.id));
    expect(result.overfitting.pbo!.N).toBe(result.candidates.length);
    expect(result.overfitting.pbo!.S).toBe(8);
    expect(typeof result.verdict.edge).toBe('boolean');
    expect(result.verdict.text).toMatch(result.verdict.edge ? /shows an edge out of sample: DSR/ : /^no evidence of an edge for r\dc\d\d: /);
  });

  it('the model sees only the first train window, and refinements carry the code and its train statistics', () => {
    const shown = result.shown;
    expect(shown).toEqual(result.folds.folds[0]!.train);
    for (const x of result.exchanges) {
      const user = x.messages[1]!.content;
      const times = [...user.matchAll(/^\| (\d{4}-\d\d-\d\d \d\d:\d\d) \|/gm)].map((m) => Date.parse(`${m[1]!.replace(' ', 'T')}:00Z`));
      expect(times.length).toBeGreaterThan(0);
      expect(Math.max(...times)).toBeLessThan(shown.to);
    }
    const refine = result.exchanges.find((x) => x.id === 'r2c01')!.messages[1]!.content;
    expect(refine).toMatch(/^Candidate 1 of 3 \(round 2\): improve this strategy\./);
    expect(refine).toContain("name: 'sma-cross-15m',");
    expect(refine).toMatch(/- closed signals: \d+ \(\d+ won, \d+ lost/);
    // Each request was asked once, with its own seed.
    const seeds = server.chats.map((r) => (r.body!.options as { seed: number }).seed);
    expect(seeds).toEqual([...FIRST_ROUND.map((_, i) => 5 + i + 1), 1006, 1007, 1008]);
  });
});

describe.skipIf(!HAVE_DATA)('generateStrategies as an Observable', () => {
  it('unsubscribing stops the study at its next step: nothing more is asked', async () => {
    const asked = server.chats.length;
    const seen: GenerateEvent[] = [];
    await new Promise<void>((done) => {
      const sub = generateStrategies({
        source: candleFile(ETH_1M, { symbol: 'ETH/BTC' }),
        train: 3 * DAY,
        test: 2 * DAY,
        candidates: 3,
        llm: { host: server.url },
        seed: 11,
      }).subscribe((e) => {
        seen.push(e);
        if (e.type === 'candidate') {
          sub.unsubscribe();
          done();
        }
      });
    });
    // The study checks before each ask; the unsubscription happened inside the candidate event, before the next one.
    expect(seen.filter((e) => e.type === 'candidate')).toHaveLength(1);
    expect(server.chats.length - asked).toBe(1);
  });
});
