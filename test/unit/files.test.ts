import { existsSync, mkdtempSync, rmSync, writeFileSync, type ReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstValueFrom, lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Candle, SymbolCandle } from '../../src/core/candle.js';
import { candleFile, candleFiles } from '../../src/sources/files.js';
import { readCandleFile } from '../../src/sources/file-reader.js';
import { CsvStream } from '../../src/sources/csv-stream.js';
import { JsonArrayStream } from '../../src/sources/json-stream.js';
import { JsonTokenizer } from '../../src/sources/json-tokenizer.js';
import { parseTime } from '../../src/sources/candle-fields.js';
import { isPromise } from '../../src/sources/pull.js';

// Every read stream the file source opens, to check that an early unsubscribe destroys it.
const opened = vi.hoisted(() => [] as ReadStream[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const createReadStream = ((...args: Parameters<typeof fs.createReadStream>) => {
    const stream = fs.createReadStream(...args);
    opened.push(stream);
    return stream;
  }) as typeof fs.createReadStream;
  return { ...fs, default: { ...fs, createReadStream }, createReadStream };
});

const T0 = Date.UTC(2024, 0, 1); // 2024-01-01T00:00:00.000Z
const MIN = 60_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tickflow-files-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const collect = <T>(source: Observable<T>): Promise<T[]> => lastValueFrom(source.pipe(toArray()), { defaultValue: [] });
const candlesOf = async (source: Observable<SymbolCandle>): Promise<Candle[]> => (await collect(source)).map((s) => s.candle);
const errorOf = async (source: Observable<unknown>): Promise<Error> => {
  try {
    await collect(source);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the source to fail');
};

/** Candle i of a simple rising 1m series. */
function row(i: number, step = MIN): [number, number, number, number, number, number] {
  const open = 100 + i;
  return [T0 + i * step, open, open + 2, open - 1, open + 1, 10 + i];
}
const asCandle = ([timestamp, open, high, low, close, volume]: number[]): Candle => ({ timestamp: timestamp!, open: open!, high: high!, low: low!, close: close!, volume: volume! });
const rows = (n: number, step = MIN) => Array.from({ length: n }, (_, i) => row(i, step));

function jsonRows(data: number[][], pretty = false): string {
  return pretty ? `[\n${data.map((r) => `  [${r.join(', ')}]`).join(',\n')}\n]\n` : JSON.stringify(data);
}
function jsonObjects(data: number[][]): string {
  return `[\n${data.map((r) => `  ${JSON.stringify(asCandle(r))}`).join(',\n')}\n]`;
}
function csvEpoch(data: number[][]): string {
  return `timestamp,open,high,low,close,volume\n${data.map((r) => r.join(',')).join('\n')}\n`;
}
function csvIso(data: number[][]): string {
  const lines = data.map(([t, ...rest]) => `${new Date(t!).toISOString()},${rest.join(',')}`);
  return `Date,Open,High,Low,Close,Volume\r\n${lines.join('\r\n')}\r\n`;
}

describe('candleFile formats', () => {
  const data = rows(20);
  const expected = data.map(asCandle);

  it('reads a JSON array of [ts, o, h, l, c, v] rows', async () => {
    const out = await collect(candleFile(file('rows.json', jsonRows(data)), { symbol: 'ETH/BTC', interval: '1m' }));
    expect(out.map((s) => s.candle)).toEqual(expected);
    expect(out.every((s) => s.symbol === 'ETH/BTC' && s.interval === '1m')).toBe(true);
  });

  it('reads a JSON array of candle objects', async () => {
    expect(await candlesOf(candleFile(file('objects.json', jsonObjects(data)), { symbol: 'X' }))).toEqual(expected);
    const other = '[{"Time": "2024-01-01T00:00:00Z", "Open": 1, "HIGH": 2, "low": 0.5, "Close": 1.5, "Volume": 7, "trades": 3}]';
    expect(await candlesOf(candleFile(file('named.json', other), { symbol: 'X', interval: '1m' }))).toEqual([
      { timestamp: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 },
    ]);
  });

  it('reads a CSV with epoch-ms timestamps', async () => {
    expect(await candlesOf(candleFile(file('epoch.csv', csvEpoch(data)), { symbol: 'X' }))).toEqual(expected);
  });

  it('reads a CSV with ISO-8601 dates, capitalised column names, CRLF and extra columns', async () => {
    expect(await candlesOf(candleFile(file('iso.csv', csvIso(data)), { symbol: 'X' }))).toEqual(expected);
    const text = 'Trades,TIME,open,high,low,close,volume,note\n3,2024-01-01T00:00Z,1,2,0.5,1.5,7,"a, ""quoted"" note"\n4,2024-01-01 00:01:00,1.5,2,1,1,0,\n';
    expect(await candlesOf(candleFile(file('extra.csv', text), { symbol: 'X' }))).toEqual([
      { timestamp: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 },
      { timestamp: T0 + MIN, open: 1.5, high: 2, low: 1, close: 1, volume: 0 },
    ]);
  });

  it('reads ISO dates with offsets as the same instant', async () => {
    const text = 'date,open,high,low,close,volume\n2024-01-01T02:00:00+02:00,1,1,1,1,1\n2024-01-01T00:01:00.000Z,1,1,1,1,1\n';
    expect((await candlesOf(candleFile(file('offset.csv', text), { symbol: 'X' }))).map((c) => c.timestamp)).toEqual([T0, T0 + MIN]);
  });

  it('detects the format from the first character when the extension does not tell, and obeys format', async () => {
    expect(await candlesOf(candleFile(file('rows.txt', `  \n${jsonRows(data)}`), { symbol: 'X' }))).toEqual(expected);
    expect(await candlesOf(candleFile(file('table.txt', csvEpoch(data)), { symbol: 'X' }))).toEqual(expected);
    expect(await candlesOf(candleFile(file('really-csv.json', csvEpoch(data)), { symbol: 'X', format: 'csv' }))).toEqual(expected);
  });

  it('skips a UTF-8 byte order mark', async () => {
    expect(await candlesOf(candleFile(file('bom.csv', `\uFEFF${csvEpoch(data)}`), { symbol: 'X' }))).toEqual(expected);
  });

  it('accepts an empty JSON array when the interval is given', async () => {
    expect(await candlesOf(candleFile(file('empty-array.json', ' [ ] '), { symbol: 'X', interval: '1m' }))).toEqual([]);
  });
});

describe('candleFile chunk boundaries', () => {
  const data = rows(40).map((r, i) => (i % 3 === 0 ? [r[0]!, r[1]! + 0.123456789, r[2]! + 0.5, r[3]!, r[4]!, r[5]! * 1e-3] : r));
  const expected = data.map(asCandle);
  const cases: Array<[string, string]> = [
    ['compact JSON rows', jsonRows(data)],
    ['pretty JSON rows', jsonRows(data, true)],
    ['JSON objects', jsonObjects(data)],
    ['CSV epoch', csvEpoch(data)],
    ['CSV ISO with CRLF', csvIso(data)],
  ];
  for (const [name, text] of cases) {
    it(`reads ${name} the same with any chunk size`, async () => {
      const p = file(`chunks-${name.replace(/\W+/g, '-')}.${name.startsWith('CSV') ? 'csv' : 'json'}`, text);
      for (const highWaterMark of [1, 2, 3, 7, 13, 64 * 1024]) {
        expect(await candlesOf(candleFile(p, { symbol: 'X', highWaterMark }))).toEqual(expected);
      }
    });
  }

  it('decodes multi-byte characters split across chunks', async () => {
    const text = 'timestamp,note,open,high,low,close,volume\n' + data.map(([t, ...r]) => `${t},"€ – ✓ “ok”",${r.join(',')}`).join('\n');
    expect(await candlesOf(candleFile(file('utf8.csv', text), { symbol: 'X', highWaterMark: 7 }))).toEqual(expected);
  });

  it('hands out the candles of a chunk synchronously and awaits only for the next chunk', async () => {
    const pull = readCandleFile(file('sync.json', jsonRows(rows(10))), { symbol: 'X' });
    const first = pull.next();
    expect(isPromise(first)).toBe(true);
    expect(((await first) as IteratorResult<Candle>).value).toEqual(asCandle(row(0)));
    for (let i = 1; i < 10; i++) {
      const r = pull.next();
      expect(isPromise(r)).toBe(false);
      expect((r as IteratorResult<Candle>).value).toEqual(asCandle(row(i)));
    }
    expect((await pull.next()).done).toBe(true);
  });
});

describe('candleFile errors', () => {
  it('names file, line, symbol, ISO time and field of a bad candle, after the good candles before it', async () => {
    // Past the first 100 candles, which are read ahead to check the interval before any is handed out.
    const data = rows(130);
    data[120] = [data[120]![0]!, 100, 99, 98, 99.5, 1]; // high 99 < open 100
    const p = file('bad-candle.json', jsonRows(data, true));
    const seen: Candle[] = [];
    for (const highWaterMark of [7, undefined]) {
      seen.length = 0;
      let error: Error | undefined;
      await new Promise<void>((resolve) =>
        candleFile(p, { symbol: 'ETH/BTC', interval: '1m', highWaterMark }).subscribe({
          next: (s) => seen.push(s.candle),
          error: (e: Error) => {
            error = e;
            resolve();
          },
          complete: resolve,
        }),
      );
      expect(seen).toHaveLength(120);
      expect(error?.message).toContain(`${p} line 122`); // '[' is line 1, row 120 (from 0) is line 122
      expect(error?.message).toContain('ETH/BTC');
      expect(error?.message).toContain('2024-01-01T02:00:00.000Z');
      expect(error?.message).toContain("'high'");
      expect(error?.message).not.toContain('\n');
    }
  });

  it('names the line of a bad CSV row and its field', async () => {
    const text = 'timestamp,open,high,low,close,volume\n\n2024-01-01T00:00:00Z,1,2,0.5,1,3\n2024-01-01T00:01:00Z,1,2,0.5,1,-3\n';
    const err = await errorOf(candleFile(file('bad-row.csv', text), { symbol: 'BTC/USDT', interval: '1m', highWaterMark: 7 }));
    expect(err.message).toMatch(/bad-row\.csv line 4: .*BTC\/USDT.*2024-01-01T00:01:00\.000Z.*'volume'/);
  });

  it('rejects a time that is neither epoch ms nor ISO-8601, naming the field', async () => {
    const text = 'time,open,high,low,close,volume\n01/02/2024,1,1,1,1,1\n';
    const err = await errorOf(candleFile(file('bad-time.csv', text), { symbol: 'X', interval: '1m' }));
    expect(err.message).toMatch(/bad-time\.csv line 2: .*'timestamp'.*01\/02\/2024/);
  });

  it('reports malformed JSON with file and line, whatever the chunk size', async () => {
    const text = '[\n  [1704067200000, 1, 1, 1, 1, 1],\n  [1704067260000, 1, 1, 1, 1, 1]\n  [1704067320000, 1, 1, 1, 1, 1]\n]';
    const p = file('syntax.json', text);
    for (const highWaterMark of [1, 7, undefined]) {
      const err = await errorOf(candleFile(p, { symbol: 'X', interval: '1m', highWaterMark }));
      expect(err.message).toBe(`${p} line 4: invalid JSON: unexpected '[', expected ',' or ']'`);
    }
    const cases: Array<[string, RegExp]> = [
      ['[[1, 2, 3', /line 1: invalid JSON: unexpected end of input/],
      ['[\n[1704067200000, 1, 1, 1, 1, 01]]', /line 2: invalid JSON: invalid number '01'/],
      ['[\n\n[NaN]]', /line 3: invalid JSON: unexpected 'NaN'/],
      ['[] x', /line 1: invalid JSON: unexpected 'x', expected end of input/],
      ['{"a": 1}', /line 1: invalid JSON: unexpected '\{', expected '\['/],
      ['', /line 1: invalid JSON: empty input, expected a JSON array/],
    ];
    for (const [body, pattern] of cases) {
      const err = await errorOf(candleFile(file('syntax2.json', body), { symbol: 'X', interval: '1m', format: 'json' }));
      expect(err.message).toMatch(pattern);
      expect(err.message).toContain('syntax2.json');
    }
  });

  it('reports an element that is not a candle with file, line and symbol', async () => {
    const err = await errorOf(candleFile(file('scalar.json', '[\n42\n]'), { symbol: 'X/Y', interval: '1m' }));
    expect(err.message).toMatch(/scalar\.json line 2: invalid candle for X\/Y: expected a row/);
  });

  it('reports malformed CSV with file and line', async () => {
    const head = 'timestamp,open,high,low,close,volume\n';
    const cases: Array<[string, RegExp]> = [
      [`${head}1704067200000,1,1,1,1,1\n1704067260000,1,1,1,1\n`, /line 3: invalid CSV: 5 fields where the header has 6/],
      [`${head}1704067200000,1,1,1,1,"1\n`, /line 2: invalid CSV: unterminated quoted field/],
      [`${head}1704067200000,1,1,1,1,"1"x\n`, /line 2: invalid CSV: 'x' after the closing quote/],
      ['time,open,high,low,close\n1704067200000,1,1,1,1\n', /line 1: CSV header has no 'volume' column \(columns: time, open, high, low, close\)/],
      ['\n\n', /line 3: empty file, expected a CSV header row/],
    ];
    for (const [text, pattern] of cases) {
      const p = file('syntax.csv', text);
      const err = await errorOf(candleFile(p, { symbol: 'X', interval: '1m', highWaterMark: 5 }));
      expect(err.message).toMatch(pattern);
      expect(err.message.startsWith(p)).toBe(true);
    }
  });

  it('names a missing file and the OS reason', async () => {
    const p = path.join(dir, 'does-not-exist.json');
    const err = await errorOf(candleFile(p, { symbol: 'X', interval: '1m' }));
    expect(err.message).toBe(`cannot read ${p}: no such file or directory (ENOENT)`);
    expect((err as { code?: string }).code).toBe('ENOENT');
    const err2 = await errorOf(candleFile(dir, { symbol: 'X', interval: '1m', format: 'json' }));
    expect(err2.message).toMatch(new RegExp(`^cannot read ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*\\(EISDIR\\)$`));
  });

  it('rejects an out-of-order candle naming file, symbol and time', async () => {
    const data = [row(0), row(2), row(1)];
    const err = await errorOf(candleFile(file('order.json', jsonRows(data)), { symbol: 'ETH/BTC', interval: '1m' }));
    expect(err.message).toContain('order.json');
    expect(err.message).toContain('out-of-order candle for ETH/BTC at 2024-01-01T00:01:00.000Z');
  });

  it('rejects bad options with one line naming the key', () => {
    expect(() => candleFile('x.json', { symbol: '' })).toThrow(/'0\.symbol'/);
    expect(() => candleFile('x.json', { symbol: 'X', interval: '2m' as '1m' })).toThrow(/'0\.interval'/);
    expect(() => candleFiles([{ path: 'a.json', symbol: 'X' }, { path: 'b.json', symbol: 'X' }])).toThrow(/symbol X is given by both a\.json and b\.json/);
  });
});

describe('candleFile order, duplicates and gaps', () => {
  it('drops a duplicate timestamp (first wins) and reports it', async () => {
    const data = [row(0), row(1), [row(1)[0], 1, 1, 1, 1, 1], row(2)];
    const dropped: Array<[string, Candle]> = [];
    const out = await candlesOf(candleFile(file('dup.json', jsonRows(data)), { symbol: 'X', onDuplicate: (s, c) => dropped.push([s, c]) }));
    expect(out).toEqual([row(0), row(1), row(2)].map(asCandle));
    expect(dropped).toEqual([['X', { timestamp: row(1)[0], open: 1, high: 1, low: 1, close: 1, volume: 1 }]]);
  });

  it('keeps gaps as gaps: no candle is invented', async () => {
    const data = [row(0), row(1), row(7), row(8)];
    const out = await candlesOf(candleFile(file('gaps.csv', csvEpoch(data)), { symbol: 'X' }));
    expect(out.map((c) => (c.timestamp - T0) / MIN)).toEqual([0, 1, 7, 8]);
  });
});

describe('candleFile interval inference', () => {
  it('infers the interval from the smallest step of the first candles, gaps and duplicates aside', async () => {
    const data = [row(0, 5 * MIN), row(0, 5 * MIN), row(3, 5 * MIN), row(4, 5 * MIN), row(9, 5 * MIN)];
    const out = await collect(candleFile(file('five.json', jsonRows(data)), { symbol: 'X' }));
    expect(out.map((s) => s.interval)).toEqual(['5m', '5m', '5m', '5m']);
    expect(out.map((s) => s.candle.timestamp)).toEqual([0, 3, 4, 9].map((i) => T0 + i * 5 * MIN));
  });

  it('replays the peeked candles and streams the rest (more than 100 candles, tiny chunks)', async () => {
    const data = rows(250, 60 * MIN);
    const out = await collect(candleFile(file('hourly.csv', csvEpoch(data)), { symbol: 'X', highWaterMark: 7 }));
    expect(out).toHaveLength(250);
    expect(out[0]!.interval).toBe('1h');
    expect(out.map((s) => s.candle)).toEqual(data.map(asCandle));
  });

  it('asks for an explicit interval when the step is not a known interval', async () => {
    const err = await errorOf(candleFile(file('seven.json', jsonRows(rows(5, 7 * MIN))), { symbol: 'X' }));
    expect(err.message).toMatch(/seven\.json: cannot infer the candle interval: the smallest step .* is 7 min .*give the interval explicitly/);
    expect(await candlesOf(candleFile(file('seven.json', jsonRows(rows(5, 7 * MIN))), { symbol: 'X', interval: '1m' }))).toHaveLength(5);
  });

  it('asks for an explicit interval when there are fewer than two candles', async () => {
    const err = await errorOf(candleFile(file('one.json', jsonRows(rows(1))), { symbol: 'X' }));
    expect(err.message).toMatch(/one\.json: cannot infer the candle interval from 1 candle\(s\); give the interval explicitly/);
  });
});

describe('candleFile: the data must have the interval it is given, on its grid', () => {
  it('rejects a declared interval coarser than the data (5m on a 1m file), naming the file and the data\'s interval', async () => {
    const err = await errorOf(candleFile(file('one-minute.json', jsonRows(rows(200))), { symbol: 'X', interval: '5m' }));
    expect(err.message).toMatch(/one-minute\.json: the interval is given as 5m, but the first 100 candles are at least 1m apart: give the data's own interval \(1m\)/);
    expect(err.message).not.toContain('\n');
  });

  it('rejects a declared interval finer than the data (1m on a 5m file)', async () => {
    const err = await errorOf(candleFile(file('five-minutes.json', jsonRows(rows(200, 5 * MIN))), { symbol: 'X', interval: '1m' }));
    expect(err.message).toMatch(/five-minutes\.json: the interval is given as 1m, but the first 100 candles are at least 5m apart: give the data's own interval \(5m\)/);
  });

  it('accepts sparse data whose smallest step is no interval but a multiple of the one given', async () => {
    expect(await candlesOf(candleFile(file('sparse.json', jsonRows(rows(5, 7 * MIN))), { symbol: 'X', interval: '1m' }))).toHaveLength(5);
  });

  it('rejects epoch-second timestamps with a hint, whether the interval is given or inferred', async () => {
    const seconds = rows(10).map(([t, ...rest]) => [t! / 1000, ...rest]);
    const p = file('seconds.csv', csvEpoch(seconds));
    for (const interval of ['1m', undefined] as const) {
      const err = await errorOf(candleFile(p, { symbol: 'X', interval }));
      expect(err.message).toMatch(/seconds\.csv: the timestamps are epoch seconds \(1704067200 is 2024-01-01T00:00:00\.000Z in seconds.*multiply the timestamps by 1000/);
    }
  });

  it('rejects an off-grid timestamp (t + 1234 ms) as an invalid candle naming file, symbol, time and field', async () => {
    for (const at of [3, 150]) {
      const data = rows(200);
      data[at]![0] = data[at]![0]! + 1234;
      const p = file(`off-grid-${at}.json`, jsonRows(data));
      for (const interval of ['1m', undefined] as const) {
        const err = await errorOf(candleFile(p, { symbol: 'ETH/BTC', interval }));
        expect(err.message).toContain(`off-grid-${at}.json`);
        expect(err.message).toContain(`invalid candle for ETH/BTC at ${new Date(T0 + at * MIN + 1234).toISOString()}`);
        expect(err.message).toMatch(/field 'timestamp': not on the 1m grid/);
      }
    }
  });

  it('rejects a timestamp beyond the last date (8.64e15 ms) as an invalid candle, not a crash', async () => {
    const p = file('far.json', '[[8640000000060000, 1, 2, 0.5, 1.5, 10]]');
    const err = await errorOf(candleFile(p, { symbol: 'X', interval: '1m' }));
    expect(err.message).toMatch(/far\.json line 1: invalid candle for X at 8640000000060000 .*field 'timestamp': must be at most 8640000000000000/);
  });
});

describe('candleFile closing', () => {
  it('destroys the file stream when the consumer unsubscribes early', async () => {
    const p = file('long.json', jsonRows(rows(2000), true));
    for (const interval of ['1m', undefined] as const) {
      opened.length = 0;
      const firstThree = await lastValueFrom(candleFile(p, { symbol: 'X', interval, highWaterMark: 256 }).pipe(take(3), toArray()));
      expect(firstThree.map((s) => s.candle)).toEqual(rows(3).map(asCandle));
      expect(opened).toHaveLength(1);
      expect(opened[0]!.destroyed).toBe(true);
      expect(opened[0]!.bytesRead).toBeLessThan(20_000);
    }
  });

  it('closes the other files of a merge when one fails', async () => {
    opened.length = 0;
    const good = file('good.json', jsonRows(rows(2000)));
    const bad = file('bad.json', `${jsonRows(rows(3)).slice(0, -1)},[oops]]`);
    const err = await errorOf(
      candleFiles(
        [
          { path: good, symbol: 'A', interval: '1m' },
          { path: bad, symbol: 'B', interval: '1m' },
        ],
        { highWaterMark: 1024 },
      ),
    );
    expect(err.message).toMatch(/bad\.json line 1: invalid JSON: unexpected 'oops'/);
    await new Promise((r) => setTimeout(r, 10));
    expect(opened).toHaveLength(2);
    expect(opened.every((s) => s.destroyed)).toBe(true);
  });
});

describe('candleFiles', () => {
  it('merges files in time order, ties by symbol, whatever order the files are given in', async () => {
    const a = file('a.json', jsonRows([row(0), row(1), row(3)]));
    const b = file('b.csv', csvEpoch([row(1), row(2), row(3)]));
    const c5 = file('c5.json', jsonRows([row(0, 5 * MIN), row(1, 5 * MIN)]));
    const label = (s: SymbolCandle) => `${s.symbol}@${(s.candle.timestamp - T0) / MIN}`;
    const forward = await collect(
      candleFiles([
        { path: a, symbol: 'A', interval: '1m' },
        { path: b, symbol: 'B' },
        { path: c5, symbol: 'C' },
      ]),
    );
    const backward = await collect(
      candleFiles([
        { path: c5, symbol: 'C', interval: '5m' },
        { path: b, symbol: 'B', interval: '1m' },
        { path: a, symbol: 'A' },
      ]),
    );
    // By close time: A@0 closes at 1; A@1 and B@1 at 2 (A first); B@2 at 3; A@3 and B@3 at 4; C@0 (5m) at 5.
    expect(forward.map(label)).toEqual(['A@0', 'A@1', 'B@1', 'B@2', 'A@3', 'B@3', 'C@0', 'C@5']);
    expect(backward.map(label)).toEqual(forward.map(label));
    expect(forward.find((s) => s.symbol === 'C')!.interval).toBe('5m');
  });

  it('reads the files again for every subscription', async () => {
    const source = candleFile(file('twice.json', jsonRows(rows(3))), { symbol: 'X' });
    expect(await candlesOf(source)).toHaveLength(3);
    expect(await candlesOf(source)).toHaveLength(3);
    expect((await firstValueFrom(source)).candle).toEqual(asCandle(row(0)));
  });
});

describe('streaming tokenizers', () => {
  /** Feed `text` in pieces of `size` characters; what the parser handed out, with lines. */
  function run(make: (out: Array<[unknown, number]>) => { feed(t: string): void; end(): void }, text: string, size: number) {
    const out: Array<[unknown, number]> = [];
    const p = make(out);
    for (let i = 0; i < text.length; i += size) p.feed(text.slice(i, i + size));
    p.end();
    return out;
  }
  const fast = (out: Array<[unknown, number]>) => new JsonArrayStream((v, line) => out.push([v, line]));
  const strict = (out: Array<[unknown, number]>) => new JsonTokenizer((v, line) => out.push([v, line]));

  const tricky = [
    '[ [1704067200000, 1.5e-3, -0, 2E+2, 0.1, 7],',
    '  {"timestamp": "2024-01-01T00:00:00Z", "open": 1, "nested": {"a": [1, {"b": "]}[{"}]}, "esc": "q\\"\\\\\\u00e9\\n"},',
    '  "a string, with ] and [", 42, true, null, false,',
    '',
    '  [], {}, [[[]]], -12.5e-1, "€ ✓ \\ud83d\\ude00"',
    ']',
  ].join('\n');
  const lines = [1, 2, 3, 3, 3, 3, 3, 5, 5, 5, 5, 5];
  const expectedElements = (JSON.parse(tricky) as unknown[]).map((v, i) => [v, lines[i]]);

  it('JsonArrayStream and JsonTokenizer read any JSON array the same, in chunks of any size', () => {
    expect(expectedElements).toHaveLength(12);
    for (const make of [fast, strict]) {
      for (let size = 1; size <= tricky.length; size += size < 20 ? 1 : 17) {
        expect(run(make, tricky, size)).toEqual(expectedElements);
      }
    }
  });

  it('hands out the good elements before a fault inside an element and names its line', () => {
    const text = '[[1, 2],\n [3, 4],\n [5,, 6], [7]]';
    for (const make of [fast, strict]) {
      for (const size of [1, 4, 100]) {
        const out: Array<[unknown, number]> = [];
        expect(() => run(make, text, size)).toThrow("line 3: invalid JSON: unexpected ',', expected a value");
        const p = make(out);
        expect(() => p.feed(text)).toThrow('line 3');
        expect(out).toEqual([
          [[1, 2], 1],
          [[3, 4], 2],
        ]);
      }
    }
  });

  it('names what is missing at the end of the input', () => {
    for (const make of [fast, strict]) {
      expect(() => run(make, '[[1, 2],\n [3', 3)).toThrow("line 2: invalid JSON: unexpected end of input, expected ',' or ']'");
      expect(() => run(make, '[1, 2', 3)).toThrow("line 1: invalid JSON: unexpected end of input, expected ',' or ']'");
      expect(() => run(make, '[["abc', 3)).toThrow('line 1: invalid JSON: unterminated string at end of input');
      expect(() => run(make, '  \n ', 3)).toThrow('line 2: invalid JSON: empty input');
    }
  });

  it('CsvStream reads quoted fields with commas, quotes and line breaks, in chunks of any size', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\r\n\r\n"multi\nline",,"\r\n"\n4,5,6';
    const expected = [
      [['a', 'b', 'c'], 1],
      [['1', 'x, "y"', '3'], 2],
      [['multi\nline', '', '\r\n'], 4],
      [['4', '5', '6'], 7],
    ];
    for (let size = 1; size <= text.length; size++) {
      expect(run((o) => new CsvStream((f, line) => o.push([f, line])), text, size)).toEqual(expected);
    }
  });

  it('parseTime reads epoch ms and ISO-8601 as UTC, and leaves anything else for the check to reject', () => {
    expect(parseTime('1704067200000')).toBe(T0);
    expect(parseTime(' 1704067200000.0 ')).toBe(T0);
    expect(parseTime('2024-01-01')).toBe(T0);
    expect(parseTime('2024-01-01T00:00')).toBe(T0);
    expect(parseTime('2024-01-01 00:00:00')).toBe(T0);
    expect(parseTime('2024-01-01T00:00:00.000Z')).toBe(T0);
    expect(parseTime('2024-01-01T00:00:00.5Z')).toBe(T0 + 500);
    expect(parseTime('2024-01-01T05:30:00+05:30')).toBe(T0);
    expect(parseTime('2023-12-31T19:00:00-0500')).toBe(T0);
    expect(parseTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2024-01-01T00:00:00.0001Z')).toBe(T0 + 0.1); // not an integer: the candle check rejects it
    for (const bad of ['2023-02-29', '2024-13-01', '2024-01-01T24:00', '2024-01-01T00:00:00X', '01/01/2024', '', '1.5', '1e3']) {
      expect(parseTime(bad)).toBe(bad);
    }
  });
});

const REAL = path.resolve(__dirname, '../../../shared/data/freqtrade/ETH_BTC-1m.json');
const realExists = existsSync(REAL);
if (!realExists) console.warn(`skipping the real-data test: ${REAL} is absent (the shared Freqtrade fixtures are not checked out)`);

describe('real data', () => {
  it.skipIf(!realExists)('parses ../shared/data/freqtrade/ETH_BTC-1m.json fully: 14397 candles, 1m', async () => {
    const out = await collect(candleFile(REAL, { symbol: 'ETH/BTC' }));
    expect(out).toHaveLength(14397);
    expect(out[0]!.interval).toBe('1m');
    expect(out[0]!.candle).toEqual({ timestamp: 1516423980000, open: 0.08939998, high: 0.08939998, low: 0.08909372, close: 0.08909374, volume: 81.45320695 });
    expect(out[out.length - 1]!.candle.timestamp).toBe(1517287800000);
  });
});
