import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import { intervalMs } from '../core/intervals.js';
import { LlmError } from '../generate/llm-client.js';
import { writeGenerateOutput } from '../generate/generate-output.js';
import { OfflineMissError } from '../generate/response-cache.js';
import { generateStrategies, type GenerateEvent, type GenerateResult } from '../generate/study.js';
import { candleFiles } from '../sources/files.js';
import { readConfigFile } from './config-file.js';
import { EXIT } from './exit-codes.js';
import { GENERATE_USAGE, parseGenerateFlags, type GenerateFlags } from './generate-args.js';
import { checkOutputPaths } from './outputs.js';
import { UserError } from './user-error.js';

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '—' : Number(x.toFixed(4)).toString());

async function template(path: string | undefined, flag: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`--${flag} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

function print(e: GenerateEvent): void {
  if (e.type === 'progress') process.stderr.write(`${e.text}\n`);
  else if (e.type === 'candidate') {
    const c = e.candidate;
    const what = c.verdict === 'accepted' ? `accepted (${c.smokeSignals} smoke signals, ${c.trainStatistics?.totalSignals ?? 0} train signals)` : `rejected, ${c.kind}: ${c.reasons[0]}`;
    process.stdout.write(`${c.id}${c.exportedName ? ` ${c.exportedName}` : ''}${e.cached ? ' (cached)' : ''}: ${what}\n`);
  }
}

function summary(r: GenerateResult): string {
  const o = r.overfitting;
  const survivors = r.candidates.filter((c) => c.verdict === 'accepted');
  const lines = [`${r.candidates.length} candidates, ${survivors.length} survived the checks; ${o.trials} trials counted`];
  for (const c of survivors) {
    const wf = c.walkForward;
    lines.push(`  ${c.id}: out of sample ${wf?.outOfSample.totalSignals ?? 0} signals, total PnL ${fmt(wf?.outOfSample.totalPnl)} %, ${r.settings.objective} ${fmt(wf?.objective)}${c.duplicateOf ? `, near-duplicate of ${c.duplicateOf.of}` : ''}`);
  }
  lines.push(`best: ${r.best ?? '—'}; DSR ${fmt(o.dsr?.dsr)}; PBO ${fmt(o.pbo?.pbo)}${o.pbo?.reason ? ` (${o.pbo.reason})` : ''}`);
  lines.push(`verdict: ${r.verdict.text}`);
  return `${lines.join('\n')}\n`;
}

function llmOptions(f: GenerateFlags) {
  const common = { model: f.model, retries: f.retries, ...(f.timeout === undefined ? {} : { timeoutMs: f.timeout }) };
  return f.openaiBaseUrl !== undefined ? { ...common, provider: 'openai' as const, baseURL: f.openaiBaseUrl } : { ...common, provider: 'ollama' as const, stream: f.stream, ...(f.host === undefined ? {} : { host: f.host }) };
}

/** `tickflow generate …`: returns the exit code. */
export async function generateCommand(argv: readonly string[]): Promise<number> {
  const flags = parseGenerateFlags(argv);
  if (flags.help) {
    process.stdout.write(`${GENERATE_USAGE}\n`);
    return EXIT.ok;
  }
  const out = flags.out!;
  await checkOutputPaths({ report: out });
  const config = await readConfigFile(flags.config);
  const templates: Record<string, string> = {};
  for (const [key, path, flag] of [['system', flags.systemTemplate, 'system-template'], ['user', flags.userTemplate, 'user-template'], ['refine', flags.refineTemplate, 'refine-template']] as const) {
    const text = await template(path, flag);
    if (text !== undefined) templates[key] = text;
  }
  const source = candleFiles(flags.candles.map((path, i) => ({ path, symbol: flags.symbol[i]!, interval: flags.interval })));
  let result: GenerateResult | null = null;
  try {
    await lastValueFrom(
      generateStrategies({
        source,
        config,
        train: flags.train!,
        test: flags.test!,
        step: flags.step,
        anchored: flags.anchored,
        purge: flags.purge,
        holdout: flags.holdout,
        candidates: flags.candidates,
        rounds: flags.rounds,
        llm: llmOptions(flags),
        cache: flags.cache ?? join(out, 'llm-cache'),
        offline: flags.offline,
        seed: flags.seed,
        temperature: flags.temperature,
        templates,
        sandbox: { budgetMs: flags.budgetMs, memoryMb: flags.memoryMb },
        sampler: flags.sampler,
        trials: flags.trials,
        objective: flags.objective,
        periodMs: intervalMs(flags.period),
        splits: flags.splits,
      }).pipe(
        tap((e) => {
          print(e);
          if (e.type === 'result') result = e.result;
        }),
      ),
    );
  } catch (err) {
    if (err instanceof LlmError || err instanceof OfflineMissError) throw new UserError(err.message);
    if (err instanceof Error && /^(generate options|generate:|.*prompt template)/.test(err.message)) throw new UserError(err.message);
    throw err;
  }
  const r = result as GenerateResult | null;
  if (r === null) throw new Error('generate: the study ended without a result');
  await writeGenerateOutput(r, out);
  process.stdout.write(summary(r));
  process.stdout.write(`Output: ${out} (generate.json, report.html, strategies/, prompts/, responses/)\n`);
  return EXIT.ok;
}
