/** Exact powers of ten as doubles (10^22 is the largest power of ten a double holds exactly). */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 9007199254740991; // 2^53 - 1

/** {@link scanNumber} ran into the end of the bytes before the number ended: it may go on in the next chunk. */
export const NUMBER_CUT = -2;
/** {@link scanNumber} found no JSON number here (or a malformed one). */
export const NOT_A_NUMBER = -1;

/**
 * Reads one JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`) from bytes, without making a string: returns the
 * index after it and leaves the value in `out.value`, or {@link NOT_A_NUMBER} / {@link NUMBER_CUT}. The value is
 * the correctly rounded double, bit for bit what `JSON.parse` gives: when the digits fit in 53 bits and the power of
 * ten is exact (|e| ≤ 22), one IEEE multiplication or division of two exact doubles is correctly rounded (Clinger's
 * fast path); anything else (17-digit mantissas, big exponents) goes through `Number` on the few bytes.
 */
export function scanNumber(buf: Uint8Array, at: number, end: number, out: { value: number }): number {
  let i = at;
  let c = buf[i]!;
  const negative = c === 0x2d;
  if (negative) {
    if (++i >= end) return NUMBER_CUT;
    c = buf[i]!;
  }
  if (c < 0x30 || c > 0x39) return NOT_A_NUMBER;
  let mantissa = 0;
  let exact = true;
  if (c === 0x30) {
    i++;
  } else {
    for (; i < end; i++) {
      c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      mantissa = mantissa * 10 + (c - 0x30);
      if (mantissa > MAX_EXACT) exact = false;
    }
  }
  let scale = 0;
  if (i >= end) return NUMBER_CUT;
  c = buf[i]!;
  if (c === 0x2e) {
    const from = ++i;
    for (; i < end; i++) {
      c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      mantissa = mantissa * 10 + (c - 0x30);
      if (mantissa > MAX_EXACT) exact = false;
    }
    if (i >= end) return NUMBER_CUT;
    if (i === from) return NOT_A_NUMBER;
    scale = from - i;
    c = buf[i]!;
  }
  if (c === 0x65 || c === 0x45) {
    if (++i >= end) return NUMBER_CUT;
    c = buf[i]!;
    const minus = c === 0x2d;
    if (minus || c === 0x2b) {
      if (++i >= end) return NUMBER_CUT;
    }
    const from = i;
    let e = 0;
    for (; i < end; i++) {
      c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      if (e < 100_000) e = e * 10 + (c - 0x30);
    }
    if (i >= end) return NUMBER_CUT;
    if (i === from) return NOT_A_NUMBER;
    scale += minus ? -e : e;
  }
  let value: number;
  if (exact && scale === 0) value = mantissa;
  else if (exact && scale < 0 && scale >= -22) value = mantissa / POW10[-scale]!;
  else if (exact && scale > 0 && scale <= 22) value = mantissa * POW10[scale]!;
  else value = Number(latin1(buf, negative ? at + 1 : at, i));
  out.value = negative ? -value : value;
  return i;
}

/**
 * `at..end` as text, for the rare number the fast path cannot round and for error messages (bytes of a number
 * are ASCII, so latin1 is exact).
 */
export function latin1(buf: Uint8Array, at: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + at, end - at).toString('latin1');
}
