import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateHtmlReport } from './generate-html.js';
import { promptText } from './prompts.js';
import type { GenerateResult } from './study.js';

/** File names of a candidate's prompt, response and (survivors) module, relative to the output folder. */
export function candidateFiles(result: GenerateResult, id: string): { prompt: string; response: string; strategy: string | null } {
  const c = result.candidates.find((x) => x.id === id)!;
  const slug = (c.exportedName ?? 'strategy').replace(/[^\w.-]+/g, '-').slice(0, 60);
  return {
    prompt: `prompts/${id}-${c.requestKey.slice(0, 12)}.md`,
    response: `responses/${id}-${c.responseHash.slice(0, 12)}.md`,
    strategy: c.verdict === 'accepted' ? `strategies/${id}-${slug}.mjs` : null,
  };
}

/** generate.json: every candidate with its hashes, verdict, reasons and statistics; same study → same bytes. */
export function generateJson(result: GenerateResult): string {
  const { exchanges: _exchanges, outOfSampleClosed: _closed, ...rest } = result;
  return `${JSON.stringify({ ...rest, candidates: result.candidates.map((c) => ({ ...c, files: candidateFiles(result, c.id) })) }, null, 2)}\n`;
}

/**
 * Writes the study's folder: `generate.json`, `report.html`, `prompts/` and `responses/` (named by candidate and
 * hash), and the survivors as runnable `.mjs` modules under `strategies/`. Returns the paths written.
 */
export async function writeGenerateOutput(result: GenerateResult, dir: string): Promise<string[]> {
  for (const sub of ['prompts', 'responses', 'strategies']) await mkdir(join(dir, sub), { recursive: true });
  const written: string[] = [];
  const put = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    written.push(join(dir, name));
  };
  for (const x of result.exchanges) {
    const files = candidateFiles(result, x.id);
    const c = result.candidates.find((r) => r.id === x.id)!;
    await put(files.prompt, `<!-- candidate ${x.id}; model ${result.model}; request sha256 ${x.requestKey} -->\n${promptText(x.messages)}`);
    await put(files.response, x.response);
    if (files.strategy !== null && x.code !== null) {
      await put(files.strategy, `// tickflow generate: candidate ${x.id} by ${result.model}; sha256 of the code below: ${c.sourceHash}\n${x.code}\n`);
    }
  }
  await put('generate.json', generateJson(result));
  await put('report.html', generateHtmlReport(result));
  return written;
}
