import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmClient, LlmError } from '../../src/generate/llm-client.js';
import { LlmServer } from '../support/llm-server.js';
import { fixture } from './llm-fixtures.js';

const messages = [
  { role: 'system' as const, content: 'You write tickflow strategies.' },
  { role: 'user' as const, content: 'Candidate 1 of 1: write one.' },
];
const sampling = { temperature: 0.7, seed: 42 };
const server = new LlmServer({ models: ['qwen2.5-coder:14b', 'tiny:latest'], answer: () => fixture('sma-cross-params') });

beforeAll(() => server.start());
afterAll(() => server.stop());

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<LlmError> {
  const err = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe('the Ollama client (the real `ollama` package over HTTP)', () => {
  it('answers with the whole message, streamed or not, sending the model, messages, seed and temperature', async () => {
    for (const stream of [false, true]) {
      const before = server.chats.length;
      const client = await llmClient({ host: server.url, stream });
      expect(await client.chat(messages, sampling)).toBe(fixture('sma-cross-params'));
      const sent = server.chats.slice(before);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.path).toBe('/api/chat');
      expect(sent[0]!.body).toMatchObject({ model: 'qwen2.5-coder:14b', messages, stream, options: { temperature: 0.7, seed: 42 } });
    }
  });

  it('a model without a tag is found as :latest; a missing model says which `ollama pull` fixes it', async () => {
    expect(await (await llmClient({ host: server.url, model: 'tiny' })).chat(messages, sampling)).toContain('export default');
    const err = await failure((await llmClient({ host: server.url, model: 'llama3:70b', retries: 3 })).chat(messages, sampling));
    expect(err.kind).toBe('model-missing');
    expect(err.message).toBe(`model 'llama3:70b' is not available on Ollama at ${server.url} (it has: qwen2.5-coder:14b, tiny:latest): run \`ollama pull llama3:70b\``);
  });

  it('an unreachable server is named, after the retries', async () => {
    const host = `http://127.0.0.1:${await closedPort()}`;
    const err = await failure((await llmClient({ host, retries: 1, retryDelayMs: 1 })).chat(messages, sampling));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toBe(`cannot reach Ollama at ${host} (ECONNREFUSED): is \`ollama serve\` running? (--host URL for another address) (after 2 attempts)`);
  });

  it('a server error is retried with backoff; a lasting one is reported', async () => {
    const client = await llmClient({ host: server.url, retries: 2, retryDelayMs: 1 });
    const before = server.chats.length;
    server.failNext = 2;
    expect(await client.chat(messages, sampling)).toBe(fixture('sma-cross-params'));
    expect(server.chats.length - before).toBe(3);
    server.failNext = 3;
    const err = await failure(client.chat(messages, sampling));
    expect(err.message).toBe(`Ollama at ${server.url} answered 500: server overloaded (after 3 attempts)`);
    expect(server.failNext).toBe(0);
  });
});

describe('the OpenAI-compatible client (the real `openai` package over HTTP)', () => {
  it('answers through /v1/chat/completions with the seed and temperature', async () => {
    const before = server.chats.length;
    const client = await llmClient({ provider: 'openai', baseURL: `${server.url}/v1`, model: 'qwen2.5-coder:14b' });
    expect(await client.chat(messages, sampling)).toBe(fixture('sma-cross-params'));
    const sent = server.chats.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/v1/chat/completions']);
    expect(sent[0]!.body).toMatchObject({ model: 'qwen2.5-coder:14b', messages, seed: 42, temperature: 0.7 });
  });

  it('names a missing model and an unreachable endpoint', async () => {
    const missing = await failure((await llmClient({ provider: 'openai', baseURL: `${server.url}/v1`, model: 'gpt-9' })).chat(messages, sampling));
    expect(missing.kind).toBe('model-missing');
    expect(missing.message).toMatch(/does not serve model 'gpt-9' \(404: /);
    const baseURL = `http://127.0.0.1:${await closedPort()}/v1`;
    const down = await failure((await llmClient({ provider: 'openai', baseURL, retries: 0 })).chat(messages, sampling));
    expect(down.kind).toBe('unreachable');
    expect(down.message).toMatch(new RegExp(`^cannot reach the OpenAI-compatible endpoint ${baseURL.replace(/[.]/g, '\\.')} \\(`));
  });

  it('without a base URL the options are refused', async () => {
    await expect(llmClient({ provider: 'openai' })).rejects.toThrow(/needs baseURL/);
  });
});
