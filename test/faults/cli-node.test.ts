import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, httpGet, readEvents, startNode, type NodeProcess } from '../e2e/live-node.js';
import { waitForValue } from '../support/collect.js';
import type { ProxyFault } from '../support/fault-proxy.js';
import { at, startLive } from '../support/live-harness.js';
import { tempStore } from '../support/temp-store.js';
import { closedBefore, END, exchanges, RESTART, split, type Exchange } from './exchange-node.js';

/* `tickflow live` as a process behind the fault proxy: what an operator sees (exit code, stderr, events file). */

let cli: string;
let removeCli: () => void;
const tmp = mkdtempSync(join(tmpdir(), 'tickflow-fault-cli-'));
beforeAll(async () => {
  ({ cli, cleanup: removeCli } = await buildCli());
});
afterAll(() => {
  removeCli?.();
  rmSync(tmp, { recursive: true, force: true });
});

const exchange = exchanges();

async function processed(port: number, m: number): Promise<void> {
  let last: unknown;
  const probe = async () => {
    const s = JSON.parse((await httpGet(port, '/healthz')).body) as { symbols: Record<string, { lastCandle: number | null }> };
    last = s;
    return Object.values(s.symbols).every((v) => (v.lastCandle ?? -1) >= at(m)) ? true : undefined;
  };
  await waitForValue(probe, () => `minute ${m} processed: ${JSON.stringify(last)}`, 30_000, 10);
}

function node(x: Exchange, args: readonly string[]): NodeProcess & { stop(): Promise<void> } {
  const store = mkdtempSync(join(tmp, 'store-'));
  const n = startNode(cli, { exchange: x.proxy.url, store, since: at(0) }, args);
  return {
    ...n,
    stop: async () => {
      if (!n.hasExited()) n.child.kill('SIGKILL');
      await n.exited;
    },
  };
}

describe('tickflow live behind a faulty connection', () => {
  // A cut gzip body costs a whole request deadline (2 s with the fixture's 1 s timeout): fewer of them.
  for (const [fault, atStart, polling] of [
    [{ kind: 'reset-mid-body' }, 3, 2],
    [{ kind: 'gzip-cut' }, 1, 1],
  ] as Array<[ProxyFault, number, number]>) {
    it(`rides out ${fault.kind} during warm-up, catch-up and polling, reporting each, with the reference events`, async () => {
      const x = await exchange();
      x.proxy.inject(fault, { times: atStart });
      const events = join(tmp, `${fault.kind}.jsonl`);
      const n = node(x, ['--detach', '--http', '0', '--events', events]);
      try {
        const port = await n.port();
        await processed(port, RESTART - 1);
        x.proxy.inject(fault, { times: polling });
        x.server.now = closedBefore(END);
        await processed(port, END - 1);
        n.child.kill('SIGTERM');
        expect(await n.exited).toEqual({ code: 0, signal: null });
      } finally {
        await n.stop();
      }
      expect(x.proxy.pendingFaults()).toBe(0);
      const got = split(readEvents(events));
      expect(got.errors).toHaveLength(atStart + polling);
      expect(n.lines.filter((l) => l.startsWith('tickflow live: error: '))).toHaveLength(atStart + polling);
      expect(n.lines.join('\n')).not.toMatch(/internal error|giving up|\n\s+at /);
      const t = await tempStore({ noSync: true });
      try {
        const reference = startLive(x.server, t.store, { since: at(0) });
        await reference.processed(END - 1);
        expect(got.signals).toEqual(split(await reference.finish()).signals);
      } finally {
        await t.cleanup();
      }
    });
  }

  it('when the exchange refuses every symbol: one line naming it, exit 2, no stack trace', async () => {
    const x = await exchange();
    x.proxy.inject({ kind: 'status', status: 400, code: -1121, msg: 'Invalid symbol.' }, { times: 1_000_000 });
    const n = node(x, ['--events', join(tmp, 'refused.jsonl')]);
    try {
      expect(await n.exited).toEqual({ code: 2, signal: null });
    } finally {
      await n.stop();
    }
    const last = n.lines.filter((l) => l !== '').at(-1)!;
    expect(last).toMatch(/^tickflow: binance (BTC|ETH)\/USDT 1m from .*BadSymbol.*Invalid symbol.*; giving up$/);
    expect(n.lines.join('\n')).not.toMatch(/internal error|\n\s+at /);
  });
});
