import { z } from 'zod';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_MODEL = 'qwen2.5-coder:14b';

export const LlmOptionsSchema = z
  .strictObject({
    /** `ollama` (its HTTP API through the `ollama` package) or `openai` (any OpenAI-compatible chat endpoint). */
    provider: z.enum(['ollama', 'openai']).default('ollama'),
    model: z.string().min(1).default(DEFAULT_MODEL),
    /** Ollama's address. */
    host: z.url().default(DEFAULT_OLLAMA_HOST),
    /** The OpenAI-compatible endpoint's base URL (e.g. http://localhost:8000/v1); required for `openai`. */
    baseURL: z.url().optional(),
    /** For `openai`; default: OPENAI_API_KEY, else a placeholder (local servers ignore it). */
    apiKey: z.string().optional(),
    /** One request's wall-clock limit (a 14B model writing a strategy on a CPU takes minutes). */
    timeoutMs: z.number().int().positive().default(600_000),
    /** Further attempts after a failure worth retrying (unreachable, timeout, 429, 5xx). */
    retries: z.number().int().nonnegative().default(2),
    /** Backoff before retry k (1-based): retryDelayMs · 2^(k−1); no jitter, so a run's timing is reproducible. */
    retryDelayMs: z.number().int().nonnegative().default(2_000),
    /** Ollama only: read the answer as a stream of chunks (keeps a slow model's connection busy). */
    stream: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.provider === 'openai' && o.baseURL === undefined) ctx.addIssue({ code: 'custom', path: ['baseURL'], message: 'an OpenAI-compatible provider needs baseURL (e.g. http://localhost:8000/v1)' });
  });
export type LlmOptions = z.input<typeof LlmOptionsSchema>;

export const ChatMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** What is sent besides the messages: part of the cache key, so the same request always has the same key. */
export const SamplingSchema = z.strictObject({ temperature: z.number().min(0).max(2), seed: z.number().int() });
export type Sampling = z.infer<typeof SamplingSchema>;

export type LlmErrorKind = 'unreachable' | 'model-missing' | 'timeout' | 'server' | 'empty';

export class LlmError extends Error {
  override readonly name = 'LlmError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind === 'unreachable' || this.kind === 'timeout' || this.kind === 'server';
  }
}

export interface LlmClient {
  /** The model and where it is served, e.g. `ollama qwen2.5-coder:14b @ http://127.0.0.1:11434`. */
  readonly describe: string;
  readonly model: string;
  /** The assistant's answer text. */
  chat(messages: readonly ChatMessage[], sampling: Sampling): Promise<string>;
}

/** Waits `ms` (the retry backoff). */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Runs `attempt` with the deterministic backoff; only {@link LlmError#retryable} failures are tried again. */
async function withRetries<T>(o: z.output<typeof LlmOptionsSchema>, attempt: () => Promise<T>): Promise<T> {
  for (let k = 0; ; k++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof LlmError) || !err.retryable || k >= o.retries) {
        if (err instanceof LlmError && k > 0) throw new LlmError(err.kind, `${err.message} (after ${k + 1} attempts)`);
        throw err;
      }
      await pause(o.retryDelayMs * 2 ** k);
    }
  }
}

/**
 * A chat client for the configured provider. The `ollama` and `openai` packages load here, on first use, so nothing
 * else in tickflow pays for them. Before the first chat with Ollama the model is looked up (`/api/tags`): a missing
 * model is a clear error naming the `ollama pull` that fixes it, not a 404 deep in a study.
 */
export async function llmClient(options: LlmOptions = {}): Promise<LlmClient> {
  const o = LlmOptionsSchema.parse(options);
  return o.provider === 'ollama' ? ollamaClient(o) : openAiClient(o);
}

async function ollamaClient(o: z.output<typeof LlmOptionsSchema>): Promise<LlmClient> {
  const { Ollama } = await import('ollama');
  const timedFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(o.timeoutMs)]) : AbortSignal.timeout(o.timeoutMs) });
  const client = new Ollama({ host: o.host, fetch: timedFetch });
  const where = `Ollama at ${o.host}`;
  const translate = (err: unknown): LlmError => {
    if (err instanceof LlmError) return err;
    const e = err as { name?: string; status_code?: number; message?: string };
    const code = causeCode(err);
    if (e.name === 'TimeoutError' || code === 'ABORT_ERR' || e.name === 'AbortError') return new LlmError('timeout', `${where} did not answer within ${o.timeoutMs} ms`);
    if (e.name === 'ResponseError') {
      if (e.status_code === 404 && /model/i.test(e.message ?? '')) return new LlmError('model-missing', `model '${o.model}' is not available on ${where}: run \`ollama pull ${o.model}\``);
      return new LlmError(e.status_code !== undefined && (e.status_code >= 500 || e.status_code === 429) ? 'server' : 'empty', `${where} answered ${e.status_code}: ${e.message}`);
    }
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'UND_ERR_SOCKET' || /fetch failed/.test(e.message ?? '')) {
      return new LlmError('unreachable', `cannot reach ${where} (${code ?? e.message}): is \`ollama serve\` running? (--host URL for another address)`);
    }
    return new LlmError('server', `${where}: ${e.message ?? String(err)}`);
  };
  let checked = false;
  const checkModel = async () => {
    if (checked) return;
    const { models } = await client.list().catch((err: unknown) => Promise.reject(translate(err)));
    const names = new Set(models.flatMap((m) => [m.name, m.model]));
    const wanted = o.model.includes(':') ? o.model : `${o.model}:latest`;
    if (!names.has(o.model) && !names.has(wanted)) {
      throw new LlmError('model-missing', `model '${o.model}' is not available on ${where} (it has: ${[...names].sort().join(', ') || 'none'}): run \`ollama pull ${o.model}\``);
    }
    checked = true;
  };
  return {
    describe: `ollama ${o.model} @ ${o.host}`,
    model: o.model,
    chat: (messages, sampling) =>
      withRetries(o, async () => {
        await checkModel();
        try {
          const request = { model: o.model, messages: messages.map((m) => ({ role: m.role, content: m.content })), options: { temperature: sampling.temperature, seed: sampling.seed } };
          let text = '';
          if (o.stream) {
            for await (const part of await client.chat({ ...request, stream: true })) text += part.message.content;
          } else {
            text = (await client.chat({ ...request, stream: false })).message.content;
          }
          if (text.trim() === '') throw new LlmError('empty', `${where} (${o.model}) gave an empty answer`);
          return text;
        } catch (err) {
          throw translate(err);
        }
      }),
  };
}

async function openAiClient(o: z.output<typeof LlmOptionsSchema>): Promise<LlmClient> {
  const { default: OpenAI, APIConnectionError, APIConnectionTimeoutError, APIError } = await import('openai');
  // Retries are ours (deterministic backoff); the package's own have jitter.
  const client = new OpenAI({ baseURL: o.baseURL!, apiKey: o.apiKey ?? process.env.OPENAI_API_KEY ?? 'not-needed', timeout: o.timeoutMs, maxRetries: 0 });
  const where = `the OpenAI-compatible endpoint ${o.baseURL}`;
  const translate = (err: unknown): LlmError => {
    if (err instanceof LlmError) return err;
    if (err instanceof APIConnectionTimeoutError) return new LlmError('timeout', `${where} did not answer within ${o.timeoutMs} ms`);
    if (err instanceof APIConnectionError) return new LlmError('unreachable', `cannot reach ${where} (${causeCode(err) ?? err.message}): is the server running?`);
    if (err instanceof APIError) {
      const status = err.status ?? 0;
      if (status === 404) return new LlmError('model-missing', `${where} does not serve model '${o.model}' (404: ${err.message})`);
      return new LlmError(status >= 500 || status === 429 ? 'server' : 'empty', `${where} answered ${status}: ${err.message}`);
    }
    return new LlmError('server', `${where}: ${(err as Error).message ?? String(err)}`);
  };
  return {
    describe: `openai ${o.model} @ ${o.baseURL}`,
    model: o.model,
    chat: (messages, sampling) =>
      withRetries(o, async () => {
        try {
          const completion = await client.chat.completions.create({
            model: o.model,
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            temperature: sampling.temperature,
            seed: sampling.seed,
          });
          const text = completion.choices[0]?.message?.content ?? '';
          if (text.trim() === '') throw new LlmError('empty', `${where} (${o.model}) gave an empty answer`);
          return text;
        } catch (err) {
          throw translate(err);
        }
      }),
  };
}
