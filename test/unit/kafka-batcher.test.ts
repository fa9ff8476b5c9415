import type { TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { OrderedBatcher } from '../../src/kafka/batcher.js';
import { FlowGate } from '../../src/core/flow-gate.js';

/** A fake broker whose sends the test settles one at a time. */
function fakeSend() {
  const calls: Array<{ batch: TopicMessages[]; ok: () => void; fail: (e: Error) => void }> = [];
  const send = (batch: TopicMessages[]) =>
    new Promise<void>((ok, fail) => {
      calls.push({ batch, ok, fail });
    });
  return { calls, send };
}

const flush = () => new Promise((r) => setImmediate(r));
const values = (batch: TopicMessages[]) => batch.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.value}`));

describe('OrderedBatcher', () => {
  it('sends one batch at a time, in order, and holds the gate while the buffer is full', async () => {
    const { calls, send } = fakeSend();
    const gate = new FlowGate();
    const acked: number[] = [];
    const b = new OrderedBatcher<number>({
      send,
      maxInFlight: 4,
      batchSize: 3,
      gate,
      acked: (items) => acked.push(...items),
      failed: () => undefined,
      fatal: () => undefined,
    });
    for (let i = 0; i < 5; i++) b.push(i, [{ topic: i % 2 ? 'odd' : 'even', message: { value: String(i) } }]);
    expect(gate.blocked).toBe(true);
    await flush();
    expect(calls).toHaveLength(1);
    expect(values(calls[0]!.batch)).toEqual(['even:0', 'even:2', 'odd:1']);
    calls[0]!.ok();
    await flush();
    expect(acked).toEqual([0, 1, 2]);
    expect(gate.blocked).toBe(false); // 2 left ≤ half of 4
    expect(calls).toHaveLength(2);
    const drained = b.drained();
    calls[1]!.ok();
    await drained;
    expect(acked).toEqual([0, 1, 2, 3, 4]);
  });

  it('re-sends the very same batch after a failure, reporting each attempt, and keeps later items waiting', async () => {
    const { calls, send } = fakeSend();
    const failures: Array<[number, number, number[]]> = [];
    const acked: number[] = [];
    const b = new OrderedBatcher<number>({
      send,
      maxInFlight: 100,
      batchSize: 2,
      acked: (items) => acked.push(...items),
      failed: (_e, attempt, delay, items) => failures.push([attempt, delay, [...items]]),
      fatal: () => undefined,
    });
    b.push(1, [{ topic: 't', message: { value: '1' } }]);
    b.push(2, [{ topic: 't', message: { value: '2' } }]);
    await flush();
    b.push(3, [{ topic: 't', message: { value: '3' } }]);
    calls[0]!.fail(new Error('down'));
    await flush();
    expect(failures).toEqual([[1, 200, [1, 2]]]);
    await new Promise((r) => setTimeout(r, 250));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.batch).toBe(calls[0]!.batch); // unchanged: an idempotent producer recognises it
    calls[1]!.ok();
    await flush();
    expect(values(calls[2]!.batch)).toEqual(['t:3']);
    calls[2]!.ok();
    await b.drained();
    expect(acked).toEqual([1, 2, 3]);
  });

  it('passes items without records through in their turn', async () => {
    const { calls, send } = fakeSend();
    const acked: string[] = [];
    const b = new OrderedBatcher<string>({ send, maxInFlight: 10, batchSize: 1, acked: (i) => acked.push(...i), failed: () => undefined, fatal: () => undefined });
    b.push('a', [{ topic: 't', message: { value: 'a' } }]);
    b.push('b', []);
    await flush();
    expect(acked).toEqual([]);
    calls[0]!.ok();
    await b.drained();
    expect(acked).toEqual(['a', 'b']);
    expect(calls).toHaveLength(1);
  });

  it('gives up after maxRetries and rejects drained()', async () => {
    const { calls, send } = fakeSend();
    let fatal: unknown;
    const gate = new FlowGate();
    const b = new OrderedBatcher<number>({ send, maxInFlight: 1, batchSize: 1, gate, maxRetries: 0, acked: () => undefined, failed: () => undefined, fatal: (e) => (fatal = e) });
    b.push(1, [{ topic: 't', message: { value: '1' } }]);
    const drained = b.drained();
    await flush();
    calls[0]!.fail(new Error('nope'));
    await expect(drained).rejects.toThrow('nope');
    expect((fatal as Error).message).toBe('nope');
    expect(gate.blocked).toBe(false);
  });
  it('bounds a batch by bytes too, sending an item bigger than the bound on its own', async () => {
    const { calls, send } = fakeSend();
    const b = new OrderedBatcher<number>({
      send,
      maxInFlight: 100,
      batchSize: 10,
      maxBatchBytes: 1_000,
      acked: () => undefined,
      failed: () => undefined,
      fatal: () => undefined,
    });
    // 300 bytes of value + 100 of key + 'h' and 99 bytes of header = 500 bytes a record: two fit in 1000.
    const record = (size: number) => ({ topic: 't', message: { key: 'k'.repeat(100), value: 'v'.repeat(size), headers: { h: 'x'.repeat(99) } } });
    for (let i = 0; i < 5; i++) b.push(i, [record(300)]);
    b.push(5, [record(5_000)]);
    b.push(6, [record(300)]);
    const sizes: number[] = [];
    while (sizes.reduce((a, n) => a + n, 0) < 7) {
      await flush();
      const call = calls[sizes.length]!;
      sizes.push(call.batch.reduce((a, t) => a + t.messages.length, 0));
      call.ok();
    }
    expect(sizes).toEqual([2, 2, 1, 1, 1]);
  });
});
