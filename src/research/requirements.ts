import { z } from 'zod';
import type { BacktestStatistics } from '../core/stats.js';

/** The statistics a requirement may name (SEMANTICS §9). */
export const STATISTIC_NAMES = [
  'totalSignals',
  'winCount',
  'lossCount',
  'winRate',
  'avgPnl',
  'totalPnl',
  'stdDev',
  'sharpeRatio',
  'annualizedSharpeRatio',
  'certaintyRatio',
  'expectedYearlyReturns',
  'maxDrawdown',
  'profitFactor',
  'expectancy',
  'avgWin',
  'avgLoss',
  'maxWinStreak',
  'maxLossStreak',
  'avgDurationMinutes',
] as const satisfies readonly (keyof BacktestStatistics)[];

export const RequirementSchema = z.strictObject({
  statistic: z.enum(STATISTIC_NAMES),
  op: z.enum(['>=', '<=', '>', '<', '==']),
  value: z.number().finite(),
});
export type Requirement = z.infer<typeof RequirementSchema>;

/**
 * `STAT OP NUMBER` (e.g. `totalSignals>=30`, `maxDrawdown <= 20`) into a {@link Requirement}; anything else throws
 * an Error naming the text and what was expected.
 */
export function parseRequirement(text: string): Requirement {
  const m = /^\s*([A-Za-z]+)\s*(>=|<=|==|>|<)\s*(\S+)\s*$/.exec(text);
  const value = m ? Number(m[3]) : NaN;
  const parsed = RequirementSchema.safeParse(m ? { statistic: m[1], op: m[2], value } : null);
  if (!parsed.success) {
    throw new Error(`requirement ${JSON.stringify(text)}: expected STATISTIC OP NUMBER with OP one of >= <= > < == and STATISTIC one of ${STATISTIC_NAMES.join(', ')}`);
  }
  return parsed.data;
}

/** Whether the statistics meet the requirement; a null statistic meets none. */
export function meetsRequirement(statistics: BacktestStatistics, r: Requirement): boolean {
  const v = statistics[r.statistic];
  if (v === null || !Number.isFinite(v)) return false;
  switch (r.op) {
    case '>=':
      return v >= r.value;
    case '<=':
      return v <= r.value;
    case '>':
      return v > r.value;
    case '<':
      return v < r.value;
    case '==':
      return v === r.value;
  }
}

/** `STAT OP VALUE` as text (reports). */
export function formatRequirement(r: Requirement): string {
  return `${r.statistic}${r.op}${r.value}`;
}
