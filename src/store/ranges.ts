/** A half-open span of candle open times, `[from, to)`. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** Sorted, disjoint, non-adjacent ranges covering the same instants as `ranges`. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = ranges.filter((r) => r.to > r.from).sort((a, b) => a.from - b.from);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.from <= last.to) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push(r);
  }
  return out;
}

/** The parts of `[from, to)` that no range of `covered` (sorted, disjoint) contains, in order. */
export function subtractRanges(from: number, to: number, covered: readonly TimeRange[]): TimeRange[] {
  const out: TimeRange[] = [];
  let cursor = from;
  for (const r of covered) {
    if (r.to <= cursor) continue;
    if (r.from >= to) break;
    if (r.from > cursor) out.push({ from: cursor, to: r.from });
    cursor = Math.max(cursor, r.to);
    if (cursor >= to) break;
  }
  if (cursor < to) out.push({ from: cursor, to });
  return out;
}

/** `[from, to)` cut into covered and missing pieces, in time order. */
export function splitRange(
  from: number,
  to: number,
  covered: readonly TimeRange[],
): Array<TimeRange & { readonly cached: boolean }> {
  const missing = subtractRanges(from, to, covered);
  const out: Array<TimeRange & { cached: boolean }> = [];
  let cursor = from;
  for (const m of missing) {
    if (m.from > cursor) out.push({ from: cursor, to: m.from, cached: true });
    out.push({ ...m, cached: false });
    cursor = m.to;
  }
  if (cursor < to) out.push({ from: cursor, to, cached: true });
  return out;
}
