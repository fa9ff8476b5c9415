import type { Candle } from '../core/candle.js';
import { TextSyntaxError } from './syntax-error.js';

/** Column (or key) names accepted for the open time, lower case. */
export const TIME_NAMES = ['timestamp', 'time', 'date', 'datetime'] as const;
const PRICE_NAMES = ['open', 'high', 'low', 'close', 'volume'] as const;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by `len` digits at `at`, or -1. */
function digitsAt(t: string, at: number, len: number): number {
  if (at + len > t.length) return -1;
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = t.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Epoch ms from digits (`1704067200000`, also `1704067200000.0`), or -1. */
function epochMs(text: string): number {
  let seen = 0; // 0: leading spaces, 1: digits, 2: after '.', 3: trailing spaces
  let digits = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57 && seen <= 1) {
      seen = 1;
      digits = true;
    } else if (c === 48 && seen === 2) {
      // zeros after the point
    } else if (c === 46 && seen === 1) {
      seen = 2;
    } else if (c === 32 || c === 9) {
      if (seen > 0) seen = 3;
    } else {
      return -1;
    }
  }
  return digits ? Math.trunc(Number.parseFloat(text)) : -1;
}

/**
 * Epoch ms of an ISO-8601 date or date-time, or -1. Read by position rather than by regex and Date object: a CSV
 * holds one per candle.
 */
function isoMs(t: string): number {
  const n = t.length;
  const year = digitsAt(t, 0, 4);
  const month = digitsAt(t, 5, 2);
  const day = digitsAt(t, 8, 2);
  // Years before 100 are not candle times (and Date.UTC would read them as 19xx).
  if (year < 100 || month < 1 || month > 12 || day < 1 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return -1;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let k = 10;
  const sep = t.charCodeAt(k);
  if (k < n && (sep === 84 || sep === 116 || sep === 32)) {
    // T, t or space
    hour = digitsAt(t, k + 1, 2);
    minute = digitsAt(t, k + 4, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || t.charCodeAt(k + 3) !== 58) return -1;
    k += 6;
    if (t.charCodeAt(k) === 58) {
      second = digitsAt(t, k + 1, 2);
      if (second < 0 || second > 59) return -1;
      k += 3;
      if (t.charCodeAt(k) === 46 || t.charCodeAt(k) === 44) {
        // fraction of a second: milliseconds exact, any further digits kept as a fraction (the check rejects them)
        let scale = 100;
        k++;
        const from = k;
        for (; k < n; k++) {
          const c = t.charCodeAt(k) - 48;
          if (c < 0 || c > 9) break;
          ms += c * scale;
          scale /= 10;
        }
        if (k === from) return -1;
        ms = Math.round(ms * 1e6) / 1e6;
      }
    }
  }
  let offset = 0;
  if (k < n) {
    const z = t.charCodeAt(k);
    if (z === 90 || z === 122) {
      // Z
      k++;
    } else if (z === 43 || z === 45) {
      const oh = digitsAt(t, k + 1, 2);
      if (oh < 0 || oh > 23) return -1;
      k += 3;
      let om = 0;
      if (t.charCodeAt(k) === 58) k++;
      if (k < n) {
        om = digitsAt(t, k, 2);
        if (om < 0 || om > 59) return -1;
        k += 2;
      }
      offset = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
  }
  if (k !== n) return -1;
  return Date.UTC(year, month - 1, day, hour, minute, second) + ms - offset;
}

/**
 * Epoch ms from text: digits are epoch milliseconds, anything else must be ISO-8601 (`2024-01-31`,
 * `2024-01-31T10:05Z`, `2024-01-31 10:05:00.250+02:00`). A date-time without an offset is UTC, never local time,
 * so a file reads the same on every machine. Unparseable text is returned unchanged for the candle check to reject.
 *
 * @example
 * ```ts
 * parseTime('2024-01-01T00:01:00Z'); // 1704067260000
 * parseTime('1704067260000');        // 1704067260000
 * ```
 */
export function parseTime(text: string): number | string {
  const epoch = epochMs(text);
  if (epoch >= 0) return epoch;
  const iso = isoMs(text.trim());
  return iso === -1 ? text : iso;
}

/**
 * A price or volume from text: a decimal number (checked by a character scan, cheaper than a regex per field);
 * empty is missing; other text stays for the candle check to reject.
 */
export function parseNumber(text: string): number | string | undefined {
  let digits = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) digits = true;
    // . - + e E space tab: Number() decides whether they are in the right places
    else if (c !== 46 && c !== 45 && c !== 43 && c !== 101 && c !== 69 && c !== 32 && c !== 9) return text;
  }
  if (!digits) return text.trim() === '' ? undefined : text;
  const v = Number(text);
  return v === v ? v : text;
}

function timeValue(v: unknown): unknown {
  return typeof v === 'string' ? parseTime(v) : v;
}

/**
 * A candle-shaped object from a JSON element: an exchange row `[ts, o, h, l, c, v]` (values after the sixth are
 * ignored: some exchanges append close time or trade count) or an object with `timestamp` (or `time`/`date`,
 * epoch ms or ISO-8601), `open`, `high`, `low`, `close`, `volume` (names case-insensitive). Returns `null` for
 * anything else. Not validated: the caller checks it.
 *
 * @example
 * ```ts
 * candleFromElement([1704067200000, 1, 2, 0.5, 1.5, 10]);      // { timestamp: 1704067200000, open: 1, … }
 * candleFromElement({ Time: '2024-01-01', Open: 1, High: 2, Low: 0.5, Close: 1.5, Volume: 10 }); // the same
 * ```
 */
export function candleFromElement(value: unknown): Candle | null {
  if (Array.isArray(value)) {
    return {
      timestamp: timeValue(value[0]) as number,
      open: value[1] as number,
      high: value[2] as number,
      low: value[3] as number,
      close: value[4] as number,
      volume: value[5] as number,
    };
  }
  if (value === null || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if ('timestamp' in o && 'open' in o) {
    // The common spelling: no key scan.
    return { timestamp: timeValue(o.timestamp) as number, open: o.open as number, high: o.high as number, low: o.low as number, close: o.close as number, volume: o.volume as number };
  }
  const byName: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const name = key.toLowerCase();
    if (!(name in byName)) byName[name] = o[key];
  }
  const timeKey = TIME_NAMES.find((n) => n in byName);
  return {
    timestamp: timeValue(timeKey === undefined ? undefined : byName[timeKey]) as number,
    open: byName.open as number,
    high: byName.high as number,
    low: byName.low as number,
    close: byName.close as number,
    volume: byName.volume as number,
  };
}

/** Turns CSV records into candle-shaped objects, by the column names of the header. */
export type CsvRowReader = (fields: readonly string[], line: number) => Candle;

/**
 * Reads the header record of a candle CSV: column names are case-insensitive, the time column may be called
 * timestamp, time, date or datetime; other columns are ignored. A missing column is a syntax error of line 1.
 *
 * @example
 * ```ts
 * const read = csvRowReader(['Date', 'Open', 'High', 'Low', 'Close', 'Volume'], 1);
 * read(['2024-01-01', '1', '2', '0.5', '1.5', '10'], 2); // { timestamp: 1704067200000, open: 1, … }
 * ```
 */
export function csvRowReader(header: readonly string[], line: number): CsvRowReader {
  const { t, o, h, l, c, v, width } = csvColumns(header, line);
  return (fields, at) => {
    if (fields.length !== width) {
      throw new TextSyntaxError(`invalid CSV: ${fields.length} fields where the header has ${width}`, at);
    }
    return {
      timestamp: parseTime(fields[t]!) as number,
      open: parseNumber(fields[o]!) as number,
      high: parseNumber(fields[h]!) as number,
      low: parseNumber(fields[l]!) as number,
      close: parseNumber(fields[c]!) as number,
      volume: parseNumber(fields[v]!) as number,
    };
  };
}

/** Where a candle CSV's columns are, by its header, and how many fields a record has. */
export interface CsvColumns {
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly width: number;
}

/** The columns of a candle CSV's header (see {@link csvRowReader}); a missing one is a syntax error of `line`. */
export function csvColumns(header: readonly string[], line: number): CsvColumns {
  const names = header.map((h) => h.trim().toLowerCase());
  const column = (options: readonly string[], label: string): number => {
    const i = names.findIndex((n) => options.includes(n));
    if (i < 0) throw new TextSyntaxError(`CSV header has no '${label}' column (columns: ${header.join(', ')})`, line);
    return i;
  };
  const t = column(TIME_NAMES, 'timestamp');
  const [o, h, l, c, v] = PRICE_NAMES.map((n) => column([n], n)) as [number, number, number, number, number];
  return { t, o, h, l, c, v, width: header.length };
}
