/** Pearson correlation of two equally long series; null when either is constant (correlation undefined). */
export function correlation(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  if (n < 2) return null;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return null;
  return sab / Math.sqrt(saa * sbb);
}

export interface DuplicateMark {
  /** The earlier candidate this one duplicates. */
  readonly of: string;
  /** Their per-period return correlation; null when the code is identical (same source hash). */
  readonly correlation: number | null;
}

/**
 * Near-duplicates among candidates (RESEARCH §6): a candidate whose code has the same hash as an earlier one, or
 * whose per-period returns correlate with an earlier one's at least `threshold`, is marked with the first such
 * earlier candidate. Marked candidates still count as trials; the mark says their results are not independent.
 */
export function nearDuplicates(
  columns: readonly { readonly id: string; readonly hash: string; readonly returns: readonly number[] }[],
  threshold: number,
): Map<string, DuplicateMark> {
  const out = new Map<string, DuplicateMark>();
  columns.forEach((c, j) => {
    for (let i = 0; i < j; i++) {
      const earlier = columns[i]!;
      if (earlier.hash === c.hash) {
        out.set(c.id, { of: earlier.id, correlation: null });
        return;
      }
      const r = correlation(earlier.returns, c.returns);
      if (r !== null && r >= threshold) {
        out.set(c.id, { of: earlier.id, correlation: r });
        return;
      }
    }
  });
  return out;
}
