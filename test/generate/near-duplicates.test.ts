import { describe, expect, it } from 'vitest';
import { correlation, nearDuplicates } from '../../src/generate/near-duplicates.js';

describe('near-duplicates among candidates', () => {
  const a = [0.01, -0.02, 0.005, 0.03, -0.01, 0];
  const scaled = a.map((x, i) => 2 * x + (i % 2 === 0 ? 0.0005 : -0.0005));
  const other = [0.01, 0.01, -0.03, 0, 0.02, -0.01];

  it('Pearson correlation; undefined (null) for a constant series', () => {
    expect(correlation(a, a)).toBeCloseTo(1, 12);
    expect(correlation(a, a.map((x) => -x))).toBeCloseTo(-1, 12);
    expect(correlation(a, [0, 0, 0, 0, 0, 0])).toBeNull();
  });

  it('marks a later candidate with the first earlier one it duplicates: same code, or returns correlated ≥ the threshold', () => {
    const marks = nearDuplicates(
      [
        { id: 'r1c01', hash: 'h1', returns: a },
        { id: 'r1c02', hash: 'h2', returns: other },
        { id: 'r1c03', hash: 'h3', returns: scaled },
        { id: 'r1c04', hash: 'h2', returns: [0, 0, 0, 0, 0, 0] },
      ],
      0.95,
    );
    expect(marks.get('r1c01')).toBeUndefined();
    expect(marks.get('r1c02')).toBeUndefined();
    expect(marks.get('r1c03')!.of).toBe('r1c01');
    expect(marks.get('r1c03')!.correlation).toBeGreaterThanOrEqual(0.95);
    expect(marks.get('r1c04')).toEqual({ of: 'r1c02', correlation: null });
    // Below the threshold nothing is marked.
    expect(nearDuplicates([{ id: 'x', hash: '1', returns: a }, { id: 'y', hash: '2', returns: other }], 0.95).size).toBe(0);
  });
});
