import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { feedCommand } from '../../src/cli/feed-command.js';
import { isUserError } from '../../src/cli/user-error.js';
import { kafkaCandles, type KafkaCandleProblem } from '../../src/kafka.js';
import { startBinanceServer, type BinanceServer } from '../support/binance-server.js';
import { at, finiteMarket } from '../support/live-harness.js';
import { brokers, unique } from './helpers.js';
import { deferredCleanups } from '../support/cleanups.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

const defer = deferredCleanups();

async function server(): Promise<BinanceServer> {
  const s = await startBinanceServer({
    now: at(3_000),
    from: at(-1_000),
    markets: Object.fromEntries(SYMBOLS.map((sym) => [sym, finiteMarket(sym, 2_000)])),
  });
  defer(async () => {
    expect(s.strays()).toEqual([]);
    await s.close();
  });
  return s;
}

/** Runs `tickflow feed` in this process with `exchange` standing in for ccxt's class; its stdout and stderr. */
async function feed(args: readonly string[], s: BinanceServer): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await feedCommand(['--kafka-brokers', brokers, ...args], {
      exchange: (id) => {
        expect(id).toBe('binance');
        return s.exchange();
      },
    });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('tickflow feed --exchange', () => {
  it('publishes the exchange’s closed candles of every symbol in [since, until), keyed by symbol', async () => {
    const s = await server();
    const topic = unique('feed-exchange');
    const since = new Date(at(100)).toISOString();
    const r = await feed(['--exchange', 'binance', '--symbol', 'BTC/USDT', '--symbol', 'ETH/USDT', '--since', since, '--until', String(at(1_600)), '--kafka-topic', topic, '--partitions', '2'], s);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Published 3000 candle(s) to ${topic} on ${brokers}\n  BTC/USDT  1500\n  ETH/USDT  1500\n`);

    const problems: KafkaCandleProblem[] = [];
    const got = await lastValueFrom(
      kafkaCandles({ brokers, topic, groupId: unique('g'), fromBeginning: true, autoAck: true, onError: (p) => problems.push(p) }).pipe(take(3000), toArray()),
    );
    expect(problems).toEqual([]);
    for (const sym of SYMBOLS) {
      const mine = got.filter((c) => c.symbol === sym);
      expect(mine.map((c) => c.candle)).toEqual(s.closedCandles(sym, at(100), at(1_600)));
      expect(new Set(mine.map((c) => c.interval))).toEqual(new Set(['1m']));
    }
  });

  it('stops at the last closed candle without --until, and names the exchange when a symbol is unknown', async () => {
    const s = await server();
    const topic = unique('feed-exchange-now');
    const r = await feed(['--exchange', 'binance', '--symbol', 'ETH/USDT', '--since', String(at(1_990)), '--kafka-topic', topic], s);
    expect(r.code).toBe(0);
    // The market ends at minute 2000 (finiteMarket): minutes 1990…1999.
    expect(r.stdout).toBe(`Published 10 candle(s) to ${topic} on ${brokers}\n  ETH/USDT  10\n`);

    const failed = await feed(['--exchange', 'binance', '--symbol', 'NOPE/USDT', '--since', String(at(0)), '--kafka-topic', topic], s).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isUserError(failed)).toBe(true);
    expect((failed as Error).message).toMatch(/^--exchange binance: .*NOPE\/USDT/);
  });

  it('rejects --exchange without symbols or --since, and with --candles, naming the flag', async () => {
    const s = await server();
    const cases: Array<[string[], RegExp]> = [
      [['--exchange', 'binance', '--since', '0', '--kafka-topic', 't'], /--symbol/],
      [['--exchange', 'binance', '--symbol', 'BTC/USDT', '--kafka-topic', 't'], /--since/],
      [['--exchange', 'binance', '--symbol', 'BTC/USDT', '--since', 'yesterday', '--kafka-topic', 't'], /--since/],
      [['--exchange', 'binance', '--symbol', 'A', '--candles', 'a.json', '--since', '0', '--kafka-topic', 't'], /--exchange/],
      [['--demo', '--since', '0', '--kafka-topic', 't'], /--since: goes with --exchange/],
    ];
    for (const [args, message] of cases) {
      const err = await feed(args, s).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isUserError(err), args.join(' ')).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });
});
