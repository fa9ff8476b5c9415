import { createHash } from 'node:crypto';
import type { RootDatabase } from 'lmdb';
import { z } from 'zod';
import { ChatMessageSchema, SamplingSchema, type ChatMessage, type LlmClient, type Sampling } from './llm-client.js';

export const CachedResponseSchema = z.object({
  model: z.string(),
  sampling: SamplingSchema,
  messages: z.array(ChatMessageSchema),
  response: z.string(),
  /** sha256 of the response text. */
  responseHash: z.string(),
});
export type CachedResponse = z.infer<typeof CachedResponseSchema>;

/** sha256 of what decides an answer: the model, the sampling options and the messages, as one canonical JSON. */
export function requestKey(model: string, sampling: Sampling, messages: readonly ChatMessage[]): string {
  const canonical = JSON.stringify({ model, sampling: { temperature: sampling.temperature, seed: sampling.seed }, messages: messages.map((m) => ({ role: m.role, content: m.content })) });
  return createHash('sha256').update(canonical).digest('hex');
}

export class OfflineMissError extends Error {
  override readonly name = 'OfflineMissError';
}

/**
 * LLM answers by request key, in LMDB. A study asks through it: a cached answer is never asked again, so a rerun with
 * the cache calls no LLM and gets the same candidates. `lmdb` loads on open, never with the rest of tickflow.
 */
export class ResponseCache {
  private constructor(
    private readonly db: RootDatabase<CachedResponse, string>,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<ResponseCache> {
    const { open } = await import('lmdb');
    return new ResponseCache(open<CachedResponse, string>({ path, compression: false }), path);
  }

  get(key: string): CachedResponse | undefined {
    const value = this.db.get(key);
    if (value === undefined) return undefined;
    const parsed = CachedResponseSchema.safeParse(value);
    if (!parsed.success) throw new Error(`response cache ${this.path}: entry ${key} is damaged (${parsed.error.issues[0]?.message}); delete the cache folder to start over`);
    return parsed.data;
  }

  async put(key: string, entry: CachedResponse): Promise<void> {
    await this.db.put(key, entry);
  }

  /**
   * The answer to this request: from the cache, else from `client` (then stored). Offline (or without a client), a
   * missing answer is an {@link OfflineMissError} naming the request's key.
   */
  async chat(client: LlmClient | null, model: string, sampling: Sampling, messages: readonly ChatMessage[], offline: boolean): Promise<{ key: string; entry: CachedResponse; cached: boolean }> {
    const key = requestKey(model, sampling, messages);
    const hit = this.get(key);
    if (hit !== undefined) return { key, entry: hit, cached: true };
    if (offline || client === null) throw new OfflineMissError(`no cached answer for request ${key} (model ${model}, seed ${sampling.seed}) in ${this.path}, and --offline forbids asking the model`);
    const response = await client.chat(messages, sampling);
    const entry: CachedResponse = { model, sampling, messages: [...messages], response, responseHash: createHash('sha256').update(response).digest('hex') };
    await this.put(key, entry);
    return { key, entry, cached: false };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
