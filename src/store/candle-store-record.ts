import { z } from 'zod';
import { isOnGrid, type Candle } from '../core/candle.js';
import { MAX_TIMESTAMP } from '../core/candle.js';
import type { Interval } from '../core/intervals.js';
import { versionedFormat } from './versioned.js';

/** One UTC day in ms: the span of one day record. */
export const DAY_MS = 86_400_000;

/** 'TFCD': the first four bytes of every day record (little-endian u32). */
const MAGIC = 0x44434654;
const HEADER_BYTES = 16;
const COLUMNS = 6;
/** The newest day-record version this build writes. */
export const DAY_RECORD_VERSION = 1;

/**
 * A day record's header as read from its first bytes. Layout v1 (little-endian): magic u32, version u16, columns
 * u16, count u32, reserved u32, then `columns` Float64 columns of `count` values each: timestamp, open, high, low,
 * close, volume. Timestamps are explicit (a gap is simply an absent slot) and strictly increasing.
 */
const DayHeaderV1Schema = z
  .strictObject({
    version: z.literal(1),
    columns: z.literal(COLUMNS, { error: `expected ${COLUMNS} columns (timestamp, open, high, low, close, volume)` }),
    count: z.number().int().min(1, 'a day record holds at least one candle').max(1440, 'a day holds at most 1440 candles'),
    bytes: z.number().int(),
  })
  .superRefine((h, ctx) => {
    const want = HEADER_BYTES + h.columns * 8 * h.count;
    if (h.bytes !== want) ctx.addIssue({ code: 'custom', path: ['bytes'], message: `record is ${h.bytes} bytes, its header (${h.count} candles) needs ${want}: cut short or overwritten` });
  });

export type DayHeader = z.output<typeof DayHeaderV1Schema>;

const DAY_FORMAT = versionedFormat<DayHeader>('candle day record', [{ version: 1, schema: DayHeaderV1Schema }]);

/** The columns of one day record, in one aligned Float64Array: `[ts…, open…, high…, low…, close…, volume…]`. */
export interface DayColumns {
  readonly count: number;
  readonly data: Float64Array;
}

/** Packs sorted, valid candles of one UTC day into a record. */
export function encodeDay(candles: readonly Candle[]): Buffer {
  const n = candles.length;
  const buffer = Buffer.alloc(HEADER_BYTES + COLUMNS * 8 * n);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt16LE(DAY_RECORD_VERSION, 4);
  buffer.writeUInt16LE(COLUMNS, 6);
  buffer.writeUInt32LE(n, 8);
  const cols = new Float64Array(COLUMNS * n);
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    cols[i] = c.timestamp;
    cols[n + i] = c.open;
    cols[2 * n + i] = c.high;
    cols[3 * n + i] = c.low;
    cols[4 * n + i] = c.close;
    cols[5 * n + i] = c.volume;
  }
  Buffer.from(cols.buffer, cols.byteOffset, cols.byteLength).copy(buffer, HEADER_BYTES);
  return buffer;
}

/** Candle `i` of decoded columns, as an object. */
export function candleAt(d: DayColumns, i: number): Candle {
  const { count: n, data } = d;
  return { timestamp: data[i]!, open: data[n + i]!, high: data[2 * n + i]!, low: data[3 * n + i]!, close: data[4 * n + i]!, volume: data[5 * n + i]! };
}

/** Every candle of decoded columns. */
export function candlesOf(d: DayColumns): Candle[] {
  const out: Candle[] = new Array(d.count);
  for (let i = 0; i < d.count; i++) out[i] = candleAt(d, i);
  return out;
}

const FIELDS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Decodes and checks a day record of `interval` for the UTC day starting at `day`: header (magic, version, size)
 * and every candle (valid values, on the grid, inside the day, strictly increasing). Returns the columns, or what
 * is wrong, naming the candle's time and field.
 */
export function decodeDay(raw: Uint8Array, day: number, interval: Interval): DayColumns | string {
  if (raw.byteLength < HEADER_BYTES) return `record is ${raw.byteLength} bytes, shorter than its ${HEADER_BYTES}-byte header`;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC) return `not a candle day record (magic 0x${magic.toString(16)}, expected 0x${MAGIC.toString(16)})`;
  const header = DAY_FORMAT.read({ version: view.getUint16(4, true), columns: view.getUint16(6, true), count: view.getUint32(8, true), bytes: raw.byteLength });
  if (!header.ok) return header.reason;
  const n = header.value.count;
  // Copied once into an aligned array: LMDB's bytes may sit at any offset.
  const data = new Float64Array(COLUMNS * n);
  new Uint8Array(data.buffer).set(raw.subarray(HEADER_BYTES, HEADER_BYTES + data.byteLength));
  let previous = day - 1;
  for (let i = 0; i < n; i++) {
    const t = data[i]!;
    const o = data[n + i]!;
    const h = data[2 * n + i]!;
    const l = data[3 * n + i]!;
    const c = data[4 * n + i]!;
    const v = data[5 * n + i]!;
    const at = () => `candle ${i + 1} of ${n} (${isoOf(t)})`;
    if (!(Number.isInteger(t) && t <= MAX_TIMESTAMP)) return `${at()}: field 'timestamp' is ${t}, not an epoch-ms instant`;
    if (t <= previous) return `${at()}: field 'timestamp' ${t} is not after the previous candle's ${previous}`;
    if (t >= day + DAY_MS) return `${at()}: field 'timestamp' ${t} lies outside its day`;
    if (!isOnGrid(t, interval)) return `${at()}: field 'timestamp' ${t} is not on the ${interval} grid`;
    previous = t;
    const bad = badField(o, h, l, c, v);
    if (bad !== null) return `${at()}: field '${FIELDS[bad]}' is ${[t, o, h, l, c, v][bad]}: ${FIELD_RULE[bad]}`;
  }
  return { count: n, data };
}

const FIELD_RULE = ['', 'must be a positive finite number', 'must be finite and ≥ max(open, close)', 'must be positive and ≤ min(open, close)', 'must be a positive finite number', 'must be finite and ≥ 0'];

/** Index into {@link FIELDS} of the first bad value (SEMANTICS §1), or null. */
function badField(o: number, h: number, l: number, c: number, v: number): number | null {
  if (!(o > 0 && o < Infinity)) return 1;
  if (!(c > 0 && c < Infinity)) return 4;
  if (!(l > 0 && l <= (o < c ? o : c))) return 3;
  if (!(h < Infinity && h >= (o > c ? o : c))) return 2;
  if (!(v >= 0 && v < Infinity)) return 5;
  return null;
}

function isoOf(t: number): string {
  return Number.isFinite(t) && Math.abs(t) <= MAX_TIMESTAMP ? new Date(t).toISOString() : String(t);
}

/** The UTC day a candle's open time falls in. */
export function dayOf(timestamp: number): number {
  return Math.floor(timestamp / DAY_MS) * DAY_MS;
}
