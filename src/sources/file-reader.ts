import { createReadStream, type ReadStream } from 'node:fs';
import { extname } from 'node:path';
import { CandleError, checkCandle, isValidCandle, type Candle } from '../core/candle.js';
import { candleFromElement, csvRowReader, type CsvRowReader } from './candle-fields.js';
import { CsvStream } from './csv-stream.js';
import { JsonArrayStream } from './json-stream.js';
import type { Pull } from './pull.js';
import { CandleFileError, TextSyntaxError } from './syntax-error.js';

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

/**
 * Picks the parser on the first non-space character when neither option nor extension says, and turns parsed
 * elements or records into validated candles pushed to `push`.
 */
function candleParser(path: string, options: ReadCandleFileOptions, push: (c: Candle) => void): TextParser {
  const { symbol } = options;
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
  const json = () => new JsonArrayStream(accept);
  const csv = (): TextParser => {
    let read: CsvRowReader | null = null;
    const records = new CsvStream((fields, line) => {
      if (read === null) read = csvRowReader(fields, line);
      else check(read(fields, line), line);
    });
    return {
      feed: (text) => records.feed(text),
      end() {
        records.end();
        if (read === null) throw new TextSyntaxError('empty file, expected a CSV header row', records.currentLine);
      },
    };
  };

  const known = options.format ?? formatFromExtension(path);
  if (known) return known === 'json' ? json() : csv();
  let parser: TextParser | null = null;
  let prefix = '';
  return {
    feed(text) {
      if (parser) return parser.feed(text);
      prefix += text;
      const first = prefix.search(/\S/);
      if (first < 0) return;
      parser = prefix[first] === '[' ? json() : csv();
      const all = prefix;
      prefix = '';
      parser.feed(all);
    },
    end() {
      if (!parser) throw new TextSyntaxError('empty file, expected a JSON array or a CSV header row', 1 + (prefix.match(/\n/g)?.length ?? 0));
      parser.end();
    },
  };
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

const DONE: IteratorResult<Candle> = { done: true, value: undefined };

/**
 * One file's candles, validated, in file order, streamed: each chunk read is parsed at once into a small buffer
 * that `next()` hands out synchronously; only an empty buffer awaits the next chunk. A bad candle or malformed text
 * fails the stream after the good candles before it. `close()` destroys the file stream.
 *
 * @example
 * ```ts
 * const pull = readCandleFile('ETH_BTC-1m.json', { symbol: 'ETH/BTC' });
 * const first = await pull.next(); // { done: false, value: { timestamp: 1516423980000, open: 0.0894, … } }
 * pull.close?.();
 * ```
 */
export function readCandleFile(path: string, options: ReadCandleFileOptions): Pull<Candle> {
  const buffer: Candle[] = [];
  let pos = 0;
  let stream: ReadStream | null = null;
  let chunks: AsyncIterator<string> | null = null;
  let first = true;
  let ended = false;
  let closed = false;
  let failure: unknown;
  const result = { done: false as const, value: undefined as unknown as Candle };
  const parser = candleParser(path, options, (c) => buffer.push(c));

  const fail = (err: unknown) => {
    failure = err;
    stream?.destroy();
  };

  const refill = async (): Promise<void> => {
    buffer.length = 0;
    pos = 0;
    if (stream === null) {
      // Opened on first demand, so files waiting their turn in a merge hold no descriptor and no unheard 'error'.
      stream = createReadStream(path, { encoding: 'utf8', highWaterMark: options.highWaterMark });
      chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
    }
    let r: IteratorResult<string>;
    try {
      r = await chunks!.next();
    } catch (err) {
      if (!closed) fail(readError(path, err));
      return;
    }
    if (closed) return;
    try {
      if (r.done) {
        ended = true;
        parser.end();
      } else {
        let text = r.value;
        if (first) {
          first = false;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        }
        parser.feed(text);
      }
    } catch (err) {
      fail(located(path, err));
    }
  };

  const next = (): IteratorResult<Candle> | Promise<IteratorResult<Candle>> => {
    if (pos < buffer.length) {
      result.value = buffer[pos++]!;
      return result;
    }
    if (failure !== undefined) throw failure;
    if (ended || closed) return DONE;
    return refill().then(next);
  };

  return {
    next,
    close() {
      closed = true;
      stream?.destroy();
    },
  };
}
