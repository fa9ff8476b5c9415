import { afterAll, describe, expect, it } from 'vitest';
import { llmClient } from '../../src/generate/llm-client.js';
import { OfflineMissError, requestKey, ResponseCache } from '../../src/generate/response-cache.js';
import { LlmServer } from '../support/llm-server.js';
import { tempDir } from '../support/temp-store.js';
import { fixture } from './llm-fixtures.js';

const messages = [{ role: 'user' as const, content: 'Candidate 1 of 1' }];
const sampling = { temperature: 0.7, seed: 7 };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('the LMDB response cache', () => {
  it('keys by model, sampling and messages; a hit asks nothing; offline a miss names the request', async () => {
    const dir = await tempDir('tickflow-llm-cache-');
    cleanups.push(dir.cleanup);
    const server = await new LlmServer({ models: ['m:1'], answer: () => fixture('breakout-1h') }).start();
    cleanups.push(() => server.stop());
    const client = await llmClient({ host: server.url, model: 'm:1' });

    const cache = await ResponseCache.open(`${dir.path}/cache`);
    const first = await cache.chat(client, 'm:1', sampling, messages, false);
    expect(first.cached).toBe(false);
    expect(first.key).toBe(requestKey('m:1', sampling, messages));
    expect(first.entry.response).toBe(fixture('breakout-1h'));
    expect(first.entry.responseHash).toMatch(/^[0-9a-f]{64}$/);
    expect(server.chats).toHaveLength(1);
    await cache.close();

    // Reopened, with the server gone: the same request is answered from disk.
    await server.stop();
    const again = await ResponseCache.open(`${dir.path}/cache`);
    const second = await again.chat(null, 'm:1', sampling, messages, true);
    expect(second).toEqual({ ...first, cached: true });
    // Another seed is another request: offline it is a clear miss.
    const other = { ...sampling, seed: 8 };
    await expect(again.chat(null, 'm:1', other, messages, true)).rejects.toThrow(OfflineMissError);
    await expect(again.chat(null, 'm:1', other, messages, true)).rejects.toThrow(`no cached answer for request ${requestKey('m:1', other, messages)} (model m:1, seed 8)`);
    expect(requestKey('m:2', sampling, messages)).not.toBe(first.key);
    expect(requestKey('m:1', sampling, [{ role: 'user', content: 'Candidate 1 of 2' }])).not.toBe(first.key);
    await again.close();
  });
});
