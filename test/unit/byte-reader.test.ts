import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { candleFile } from '../../src/sources/files.js';
import { JsonCandleRows, MORE, OTHER, ROW } from '../../src/sources/json-rows.js';
import { NOT_A_NUMBER, NUMBER_CUT, scanNumber } from '../../src/sources/number-bytes.js';
import { Sfc32 } from '../../src/sources/prng.js';

// The byte-level JSON row reader: numbers read from bytes are bit for bit what JSON.parse gives, wherever a chunk
// ends; anything it does not read goes to the strict text reader, whose errors name the line.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tickflow-bytes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const read = async (p: string, highWaterMark?: number): Promise<Candle[]> =>
  (await lastValueFrom(candleFile(p, { symbol: 'X', interval: '1m', highWaterMark }).pipe(toArray()))).map((s) => s.candle);
const failure = async (p: string, highWaterMark?: number): Promise<string> => {
  try {
    await read(p, highWaterMark);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the read to fail');
};

const bytes = (text: string) => new TextEncoder().encode(text);

describe('scanNumber', () => {
  const out = { value: NaN };
  const parse = (text: string) => {
    const b = bytes(`${text},`);
    const end = scanNumber(b, 0, b.length, out);
    return end === text.length ? out.value : end;
  };

  it('gives exactly the double JSON.parse gives, on hand-picked and 20,000 random numbers', () => {
    const rng = new Sfc32(4, 3, 2, 1);
    const cases = ['0', '-0', '1', '-1', '0.1', '0.08939998', '1704067200000', '9007199254740991', '9007199254740993', '1.5e-3', '2E+2', '-12.5e-1', '1e22', '1e23', '1e-22', '1e-400', '1e400', '123456789012345678901234567890', '0.30000000000000004', '2.2250738585072014e-308', '5e-324', '0.000001', '100.123456'];
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + Math.floor(rng.uniform() * 19);
      let m = String(1 + Math.floor(rng.uniform() * 9));
      for (let d = 1; d < digits; d++) m += String(Math.floor(rng.uniform() * 10));
      const point = Math.floor(rng.uniform() * (digits + 1));
      let text = point > 0 && point < digits ? `${m.slice(0, point)}.${m.slice(point)}` : m;
      if (rng.uniform() < 0.3) text = `0.${'0'.repeat(Math.floor(rng.uniform() * 8))}${m}`;
      if (rng.uniform() < 0.3) text += `${rng.uniform() < 0.5 ? 'e' : 'E'}${['', '+', '-'][Math.floor(rng.uniform() * 3)]}${Math.floor(rng.uniform() * 40)}`;
      if (rng.uniform() < 0.5) text = `-${text}`;
      cases.push(text);
    }
    for (const text of cases) expect(Object.is(parse(text), JSON.parse(text)), text).toBe(true);
  });

  it('tells a cut number (more may follow) from one that is not JSON', () => {
    for (const text of ['1', '-', '12.', '1.5e', '1.5e-', '3.14']) {
      const b = bytes(text);
      expect(scanNumber(b, 0, b.length, out), text).toBe(NUMBER_CUT);
    }
    for (const text of ['.5,', '+1,', 'NaN,', '-x,', '1.,', '1e,', '1e+,', 'Infinity,']) {
      const b = bytes(text);
      expect(scanNumber(b, 0, b.length, out), text).toBe(NOT_A_NUMBER);
    }
    const b = bytes('01,');
    expect(scanNumber(b, 0, b.length, out)).toBe(1); // '0' ends there: the row reader then sees '1', not a delimiter
  });
});

describe('JsonCandleRows', () => {
  it('reads rows split at every byte, with their lines; extra values are ignored', () => {
    const text = '\r\n[ [1, 2.5, 3e0 ,\n -0.5, 1E-1, 0],\r\n\t[2,1,1,1,1,1,99,-7.25] ]  \n';
    for (let size = 1; size <= text.length; size++) {
      const rows = new JsonCandleRows();
      const got: number[][] = [];
      const b = bytes(text);
      for (let at = 0; at < b.length; at += size) {
        rows.feed(b.subarray(at, at + size));
        for (let r = rows.next(); r === ROW; r = rows.next()) got.push([rows.rowLine, rows.timestamp, rows.open, rows.high, rows.low, rows.close, rows.volume]);
      }
      expect(rows.next()).toBe(MORE);
      expect(rows.phase).toBe('done');
      expect(got, `chunks of ${size}`).toEqual([
        [2, 1, 2.5, 3, -0.5, 0.1, 0],
        [4, 2, 1, 1, 1, 1, 1],
      ]);
    }
  });

  it('stops at what it does not read, where the text reader takes over', () => {
    // [input, phase at the stop, the bytes left for the text reader]
    const cases: Array<[string, string, string]> = [
      ['[{"open": 1}]', 'first', '{"open": 1}]'],
      ['[[1,2,3,4,5,6],\n"x"]', 'next', '"x"]'],
      ['[[1,2,3,4,5,"6"]]', 'first', '[1,2,3,4,5,"6"]]'],
      ['[[1,2,3,4,5]]', 'first', '[1,2,3,4,5]]'],
      ['[[1,2,3,4,5,01]]', 'first', '[1,2,3,4,5,01]]'],
      ['[[1,2,3,4,5,6] [1]]', 'after', '[1]]'],
      ['{"a": 1}', 'before', '{"a": 1}'],
      ['[] x', 'done', 'x'],
    ];
    for (const [text, phase, rest] of cases) {
      const rows = new JsonCandleRows();
      rows.feed(bytes(text));
      let r = rows.next();
      while (r === ROW) r = rows.next();
      expect(r, text).toBe(OTHER);
      expect(rows.phase, text).toBe(phase);
      expect(new TextDecoder().decode(rows.rest()), text).toBe(rest);
    }
  });
});

describe('candleFile through the byte reader', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const rows = Array.from({ length: 50 }, (_, i) => [T0 + i * 60_000, 100.5 + i, 102.25 + i, 99.125 + i, 101 + i, i % 4 === 0 ? 0 : 1.5e-3 * i]);
  const expected = rows.map(([timestamp, open, high, low, close, volume]) => ({ timestamp, open, high, low, close, volume }));

  it('reads the same candles with any chunk size, whitespace, CRLF, exponents and a byte order mark', async () => {
    const texts = [
      JSON.stringify(rows),
      `\uFEFF[\r\n${rows.map((r) => `\t[ ${r.join(' , ')} ]`).join(',\r\n')}\r\n]\r\n`,
      `[${rows.map((r) => `[${r.map((v) => (Number.isInteger(v) ? String(v) : v.toExponential())).join(',')}]`).join(',')}]`,
    ];
    for (const [k, text] of texts.entries()) {
      const p = file(`bytes-${k}.json`, text);
      for (const highWaterMark of [1, 2, 5, 17, 64 * 1024]) expect(await read(p, highWaterMark)).toEqual(expected);
    }
  });

  it('a byte order mark split across chunks, and multi-byte text after the rows, still read', async () => {
    const text = `\uFEFF[${JSON.stringify(rows[0])},{"timestamp": ${T0 + 50 * 60_000}, "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1, "note": "€ ✓"}]`;
    const p = file('bom-split.json', text);
    for (const highWaterMark of [1, 2, 3]) {
      expect(await read(p, highWaterMark)).toEqual([expected[0], { timestamp: T0 + 50 * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    }
  });

  it('names the file and line of a bad number, whatever the chunk size', async () => {
    const lines = rows.slice(0, 5).map((r) => `[${r.join(', ')}]`);
    const cases: Array<[string, string]> = [
      ['01', "line 4: invalid JSON: invalid number '01'"],
      ['1.', "line 4: invalid JSON: invalid number '1.'"],
      ['-', "line 4: invalid JSON: invalid number '-'"],
      ['1e', "line 4: invalid JSON: invalid number '1e'"],
      ['NaN', "line 4: invalid JSON: unexpected 'NaN', expected a value"],
      ['+5', "line 4: invalid JSON: unexpected '+', expected a value"],
    ];
    for (const [bad, message] of cases) {
      const text = `[\n${lines.slice(0, 2).join(',\n')},\n[${rows[2]!.slice(0, 5).join(', ')}, ${bad}],\n${lines.slice(3).join(',\n')}\n]`;
      const p = file('bad-number.json', text);
      for (const highWaterMark of [1, 7, 64 * 1024]) expect(await failure(p, highWaterMark)).toBe(`${p} ${message}`);
    }
  });

  it('names file, line, time and field of an invalid candle read from bytes, after the good ones', async () => {
    const bad = rows.map((r) => [...r]);
    bad[3]![5] = -2; // negative volume
    const p = file('bad-volume.json', `[\n${bad.map((r) => `[${r.join(',')}]`).join(',\n')}\n]`);
    const message = await failure(p, 13);
    expect(message).toContain(`${p} line 5`);
    expect(message).toContain(new Date(T0 + 3 * 60_000).toISOString());
    expect(message).toContain("'volume'");
  });
});

describe('candleFile CSV through the byte reader', () => {
  const T0 = Date.UTC(2024, 0, 1);
  const rows = Array.from({ length: 30 }, (_, i) => [T0 + i * 60_000, 100.5 + i, 102.25 + i, 99.125 + i, 101 + i, i % 4 === 0 ? 0 : 1.5e-3 * i]);
  const expected = rows.map(([timestamp, open, high, low, close, volume]) => ({ timestamp, open, high, low, close, volume }));
  const iso = (t: number) => new Date(t).toISOString();

  it('reads the same candles with any chunk size: CRLF, BOM, blanks around numbers, exponents, ISO times, blank lines', async () => {
    const texts = [
      `timestamp,open,high,low,close,volume\n${rows.map((r) => r.join(',')).join('\n')}\n`,
      `\uFEFFDate,Open,High,Low,Close,Volume\r\n\r\n${rows.map(([t, ...r]) => `${iso(t!)}, ${r.map((v) => v.toExponential()).join(' ,\t')}`).join('\r\n')}`,
      `\n  \nnote,time,open,high,low,close,volume,x\n${rows.map(([t, ...r]) => `é€,${t},${r.join(',')},`).join('\n')}\n\n`,
    ];
    for (const [k, text] of texts.entries()) {
      const p = file(`bytes-${k}.csv`, text);
      for (const highWaterMark of [1, 3, 17, 64 * 1024]) expect(await read(p, highWaterMark), `text ${k}, chunks of ${highWaterMark}`).toEqual(expected);
    }
  });

  it('hands a quoted line over to the text reader, which reads on from there', async () => {
    const lines = rows.map((r) => r.join(','));
    lines[10] = `"${rows[10]![0]}",${rows[10]!.slice(1).join(',')}`;
    const p = file('quoted.csv', `time,open,high,low,close,volume\n${lines.join('\n')}\n`);
    for (const highWaterMark of [5, 64 * 1024]) expect(await read(p, highWaterMark)).toEqual(expected);
  });

  it('names file, line and field of a bad number or a short record, whatever the chunk size', async () => {
    const lines = rows.slice(0, 6).map((r) => r.join(','));
    const bad = [...lines];
    bad[3] = `${rows[3]![0]},1.2.3,200,99,101,1`;
    const p = file('bad-number.csv', `time,open,high,low,close,volume\n${bad.join('\n')}\n`);
    for (const highWaterMark of [1, 7, 64 * 1024]) {
      const message = await failure(p, highWaterMark);
      expect(message).toContain(`${p} line 5`);
      expect(message).toContain(iso(rows[3]![0]!));
      expect(message).toContain("'open'");
    }
    const short = [...lines];
    short[2] = `${rows[2]![0]},1,2,0.5,1`;
    const q = file('short.csv', `time,open,high,low,close,volume\n${short.join('\n')}\n`);
    for (const highWaterMark of [1, 7, 64 * 1024]) expect(await failure(q, highWaterMark)).toBe(`${q} line 4: invalid CSV: 5 fields where the header has 6`);
  });
});
