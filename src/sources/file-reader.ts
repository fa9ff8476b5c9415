import { createReadStream, type ReadStream } from 'node:fs';
import { extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CandleError, checkCandle, isValidCandle, type Candle } from '../core/candle.js';
import { candleFromElement, csvRowReader, type CsvRowReader } from './candle-fields.js';
import { CsvStream } from './csv-stream.js';
import { JsonArrayStream } from './json-stream.js';
import type { Pull } from './pull.js';
import { CandleFileError, TextSyntaxError } from './syntax-error.js';
import { JsonCandleRows, OTHER, ROW, type JsonPhase } from './json-rows.js';
import { CsvCandleRows } from './csv-rows.js';

export type CandleFileFormat = 'json' | 'csv';

export interface ReadCandleFileOptions {
  readonly symbol: string;
  /** Default: from the extension (.json, .csv), else from the first non-space character (`[` is JSON). */
  readonly format?: CandleFileFormat;
  /** Bytes per read (default 64 KiB); tiny values are for tests of chunk boundaries. */
  readonly highWaterMark?: number;
}

interface TextParser {
  feed(text: string): void;
  end(): void;
}

function formatFromExtension(path: string): CandleFileFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : undefined;
}

/** The OS reason without Node's `ENOENT: … open '/path'` decoration (we name the path ourselves). */
function readError(path: string, err: unknown): CandleFileError {
  const e = err as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(err);
  const reason = e.code ? `${message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${e.code})` : message;
  return new CandleFileError(`cannot read ${path}: ${reason}`, path, undefined, e.code);
}

function located(path: string, err: unknown): unknown {
  if (err instanceof TextSyntaxError) return new CandleFileError(`${path} line ${err.line}: ${err.reason}`, path, err.line);
  return err;
}

/** The text readers: the strict JSON one (objects, odd rows, every fault) and the CSV one. */
function textParsers(path: string, symbol: string, push: (c: Candle) => void) {
  // The location string is built only for a bad candle: most candles are good and this runs for every one.
  const check = (candle: Candle, line: number) => {
    push(isValidCandle(candle) ? candle : checkCandle(candle, { symbol, at: `${path} line ${line}` }));
  };
  const accept = (raw: unknown, line: number) => {
    const candle = candleFromElement(raw);
    if (candle === null) {
      throw new CandleError(
        `${path} line ${line}: invalid candle for ${symbol}: expected a row [timestamp, open, high, low, close, volume] or an object, got ${brief(raw)}`,
        symbol,
        undefined,
        undefined,
      );
    }
    check(candle, line);
  };
  return {
    json: (from: { phase: JsonPhase; line: number }): TextParser => new JsonArrayStream(accept, from),
    csv: (from: { header: string[] | null; line: number }): TextParser => {
      let read: CsvRowReader | null = from.header === null ? null : csvRowReader(from.header, 1);
      const records = new CsvStream((fields, line) => {
        if (read === null) read = csvRowReader(fields, line);
        else check(read(fields, line), line);
      }, from.line);
      return {
        feed: (text) => records.feed(text),
        end() {
          records.end();
          if (read === null) throw new TextSyntaxError('empty file, expected a CSV header row', records.currentLine);
        },
      };
    },
  };
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

const DONE: IteratorResult<Candle> = { done: true, value: undefined };

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0b || c === 0x0c;
}

function lineFeeds(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/**
 * One file's candles, validated, in file order, streamed. A JSON array of exchange rows — the common case — is read
 * straight from the file's bytes, one row per `next()`, so no candle is made before it is asked for; everything
 * else (objects, odd rows, CSV, and every malformed input, whose error names the line) goes through the text
 * readers, which parse a chunk at a time into a small buffer that `next()` hands out synchronously. Only running
 * out of bytes awaits the next chunk. A bad candle or malformed text fails the stream after the good candles before
 * it. `close()` destroys the file stream.
 *
 * @example
 * ```ts
 * const pull = readCandleFile('ETH_BTC-1m.json', { symbol: 'ETH/BTC' });
 * const first = await pull.next(); // { done: false, value: { timestamp: 1516423980000, open: 0.0894, … } }
 * pull.close?.();
 * ```
 */
export function readCandleFile(path: string, options: ReadCandleFileOptions): Pull<Candle> {
  const { symbol } = options;
  const buffer: Candle[] = [];
  let pos = 0;
  let stream: ReadStream | null = null;
  let chunks: AsyncIterator<Buffer> | null = null;
  /** The first bytes, until a byte order mark can be told (3 bytes) and the format is known. */
  let lead: Uint8Array | null = new Uint8Array(0);
  let format = options.format ?? formatFromExtension(path);
  const rows = new JsonCandleRows();
  const records = new CsvCandleRows();
  let reading: 'lead' | 'rows' | 'records' | 'text' = 'lead';
  let text: TextParser | null = null;
  let decoder: StringDecoder | null = null;
  let ended = false;
  let closed = false;
  let failure: unknown;
  const result = { done: false as const, value: undefined as unknown as Candle };
  const parsers = textParsers(path, symbol, (c) => buffer.push(c));

  const fail = (err: unknown) => {
    failure = err;
    stream?.destroy();
  };

  /** From here on the text reader `parser` reads, starting with `bytes`. */
  const toText = (parser: TextParser, bytes: Uint8Array) => {
    reading = 'text';
    text = parser;
    decoder = new StringDecoder('utf8');
    if (bytes.length > 0) parser.feed(decoder.write(bytes));
  };

  /** Bytes before the format is settled: strip a byte order mark, then pick the reader. */
  const leading = (chunk: Uint8Array | null) => {
    let bytes = lead!;
    if (chunk !== null) {
      const joined = new Uint8Array(bytes.length + chunk.length);
      joined.set(bytes, 0);
      joined.set(chunk, bytes.length);
      bytes = joined;
    }
    lead = bytes;
    if (bytes.length < 3 && chunk !== null) return;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (format === undefined) {
      let k = 0;
      while (k < bytes.length && isSpace(bytes[k]!)) k++;
      if (k === bytes.length) {
        lead = bytes;
        if (chunk === null) throw new TextSyntaxError('empty file, expected a JSON array or a CSV header row', 1 + lineFeeds(bytes));
        return;
      }
      format = bytes[k] === 0x5b ? 'json' : 'csv';
    }
    lead = null;
    if (format === 'json') {
      reading = 'rows';
      rows.feed(bytes);
    } else {
      reading = 'records';
      records.feed(bytes);
    }
  };

  const refill = async (): Promise<void> => {
    buffer.length = 0;
    pos = 0;
    if (stream === null) {
      // Opened on first demand, so files waiting their turn in a merge hold no descriptor and no unheard 'error'.
      stream = createReadStream(path, { highWaterMark: options.highWaterMark });
      chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    }
    let r: IteratorResult<Buffer>;
    try {
      r = await chunks!.next();
    } catch (err) {
      if (!closed) fail(readError(path, err));
      return;
    }
    if (closed) return;
    try {
      if (r.done) ended = true;
      if (reading === 'lead') leading(r.done ? null : r.value);
      else if (reading === 'rows') {
        if (!r.done) rows.feed(r.value);
      } else if (reading === 'records') {
        if (!r.done) records.feed(r.value);
      } else if (r.done) text!.end();
      else text!.feed(decoder!.write(r.value));
    } catch (err) {
      fail(located(path, err));
    }
  };

  const next = (): IteratorResult<Candle> | Promise<IteratorResult<Candle>> => {
    for (;;) {
      if (pos < buffer.length) {
        result.value = buffer[pos++]!;
        return result;
      }
      if (failure !== undefined) throw failure;
      if (closed) return DONE;
      if (reading === 'rows') {
        const r = rows.next();
        if (r === ROW) {
          const candle: Candle = { timestamp: rows.timestamp, open: rows.open, high: rows.high, low: rows.low, close: rows.close, volume: rows.volume };
          if (!isValidCandle(candle)) {
            try {
              checkCandle(candle, { symbol, at: `${path} line ${rows.rowLine}` });
            } catch (err) {
              fail(err);
              throw err;
            }
          }
          result.value = candle;
          return result;
        }
        if (r === OTHER || ended) {
          // The strict reader takes over where the row reader stopped, and names any fault.
          buffer.length = 0;
          pos = 0;
          try {
            toText(parsers.json({ phase: rows.phase, line: rows.line }), rows.rest());
            if (ended) text!.end();
          } catch (err) {
            fail(located(path, err));
          }
          continue;
        }
      }
      if (reading === 'records') {
        let r: number;
        try {
          r = records.next(ended);
        } catch (err) {
          fail(located(path, err));
          continue;
        }
        if (r === ROW) {
          const candle = {
            timestamp: records.timestamp,
            open: records.open,
            high: records.high,
            low: records.low,
            close: records.close,
            volume: records.volume,
          } as Candle;
          if (!isValidCandle(candle)) {
            try {
              checkCandle(candle, { symbol, at: `${path} line ${records.rowLine}` });
            } catch (err) {
              fail(err);
              throw err;
            }
          }
          result.value = candle;
          return result;
        }
        if (r === OTHER) {
          buffer.length = 0;
          pos = 0;
          try {
            toText(parsers.csv({ header: records.header, line: records.line }), records.rest());
            if (ended) text!.end();
          } catch (err) {
            fail(located(path, err));
          }
          continue;
        }
        if (ended && records.header === null) {
          fail(located(path, new TextSyntaxError('empty file, expected a CSV header row', records.line)));
          continue;
        }
      }
      if (ended) return DONE;
      return refill().then(next);
    }
  };

  return {
    next,
    close() {
      closed = true;
      stream?.destroy();
    },
  };
}
