import { z } from 'zod';
import { ChoiceValueSchema, valueKey, type ParamAssignment, type ParamSpace, type ParamValue } from './param-space.js';

/** Objective over two parameters around the best, the others held at the best's values (RESEARCH §3). */
export const NeighbourhoodSchema = z.object({
  axes: z.tuple([z.string(), z.string()]),
  /** The values along each axis that some trial reached, ascending (choices: in declaration order). */
  values: z.tuple([z.array(ChoiceValueSchema), z.array(ChoiceValueSchema)]),
  /** objective[i][j] at values[0][i], values[1][j]; null where no trial was run there (or its objective was null). */
  objective: z.array(z.array(z.number().nullable())),
  radius: z.number().int().nonnegative(),
});
export type Neighbourhood = z.infer<typeof NeighbourhoodSchema>;

interface Trial {
  readonly params: ParamAssignment;
  readonly objective: number | null;
}

/**
 * The objective on the 2-parameter slice through the best trial: the trials that match the best on every other
 * parameter, placed on the grid of the values they took, keeping `radius` values either side of the best's. A
 * plateau shows as a block of similar values, a lone spike as one cell above its neighbours.
 *
 * @example
 * ```ts
 * const view = objectiveNeighbourhood(space, trials, best.params, ['fast', 'slow'], 3);
 * view.objective[view.values[0].indexOf(best.params.fast)]; // the row through the best
 * ```
 */
export function objectiveNeighbourhood(
  space: ParamSpace,
  trials: readonly Trial[],
  best: ParamAssignment,
  axes: readonly [string, string],
  radius = 2,
): Neighbourhood {
  const [a, b] = axes;
  for (const axis of axes) if (!space[axis]) throw new Error(`objectiveNeighbourhood: no parameter "${axis}" (declared: ${Object.keys(space).join(', ')})`);
  if (a === b) throw new Error(`objectiveNeighbourhood: the two axes must differ (both "${a}")`);
  const others = Object.keys(space).filter((k) => k !== a && k !== b);
  const slice = trials.filter((t) => others.every((k) => valueKey(t.params[k]!) === valueKey(best[k]!)));
  const axisValues = (name: string): ParamValue[] => {
    const spec = space[name]!;
    const seen = new Map<string, ParamValue>();
    for (const t of slice) seen.set(valueKey(t.params[name]!), t.params[name]!);
    seen.set(valueKey(best[name]!), best[name]!);
    const all =
      spec.type === 'choice'
        ? spec.values.filter((v) => seen.has(valueKey(v)))
        : [...seen.values()].sort((x, y) => (x as number) - (y as number));
    const at = all.findIndex((v) => valueKey(v) === valueKey(best[name]!));
    return all.slice(Math.max(0, at - radius), at + radius + 1);
  };
  const rows = axisValues(a);
  const cols = axisValues(b);
  const cell = new Map<string, number | null>();
  for (const t of slice) {
    const key = `${valueKey(t.params[a]!)}\u0000${valueKey(t.params[b]!)}`;
    if (!cell.has(key)) cell.set(key, t.objective);
  }
  const objective = rows.map((r) => cols.map((c) => cell.get(`${valueKey(r)}\u0000${valueKey(c)}`) ?? null));
  return { axes: [a, b], values: [rows, cols], objective, radius };
}
