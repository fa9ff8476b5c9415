import { z } from 'zod';
import { MoneyConfigSchema } from './money-config.js';
import { parseOrThrow } from './problems.js';

const percent = z.number().finite().nonnegative();

/**
 * Engine configuration (SEMANTICS §3, §4, §6, §7). Every key has a default; unknown keys are an error so a typo
 * never silently falls back to a default.
 */
export const ConfigSchema = z
  .strictObject({
    feePercent: percent.default(0.1),
    slippagePercent: percent.default(0.1),
    /** At most 10 000: the VWAP window's buffers are allocated up front. */
    avgPriceCandles: z.number().int().positive().max(10_000).default(5),
    scheduleAwaitMinutes: z.number().int().positive().default(120),
    minTakeProfitDistancePercent: percent.default(0.3),
    minStopLossDistancePercent: percent.default(0.5),
    maxStopLossDistancePercent: percent.default(20),
    maxSignalLifetimeMinutes: z.number().int().nonnegative().default(1440),
    signalTimeoutMs: z.number().int().positive().default(180_000),
    intrabar: z.enum(['stop-loss-first', 'take-profit-first']).default('stop-loss-first'),
    partialLevels: z
      .array(z.number().gt(0).lt(100))
      .default([10, 20, 30, 40, 50, 60, 70, 80, 90])
      .transform((levels) => [...new Set(levels)].sort((a, b) => a - b)),
    /**
     * Base candles kept per symbol for `ctx.candles()`; bounds memory whatever the length of history. At most
     * 10 000 000 (19 years of 1-minute candles), so a typo cannot ask for more memory than a machine has.
     */
    historyCandles: z.number().int().positive().max(10_000_000).default(10_080),
    /** Emit an `active` event for every candle an open signal survives (off in backtests: it is one per candle). */
    emitActive: z.boolean().default(false),
    /** At end of data close open signals as `time_expired` at the last price and cancel scheduled ones. */
    closeAtEnd: z.boolean().default(false),
    /**
     * Isolated-margin maintenance margin in % of the notional (SEMANTICS §13): with a signal's `leverage`, where it is
     * liquidated. A leverage whose liquidation price would not lie on the loss side is rejected with the signal.
     */
    maintenanceMarginPercent: percent.lt(100).default(0.5),
    /** The account (SEMANTICS §12): starting balance and the stake per position; every run has one. */
    ...MoneyConfigSchema.shape,
  })
  .superRefine((c, ctx) => {
    // Otherwise every stop-loss is rejected, and every signal with it (a maximum of 0 disables that rule).
    if (c.maxStopLossDistancePercent > 0 && c.minStopLossDistancePercent > c.maxStopLossDistancePercent) {
      ctx.addIssue({
        code: 'custom',
        path: ['minStopLossDistancePercent'],
        message: `${c.minStopLossDistancePercent} is above maxStopLossDistancePercent ${c.maxStopLossDistancePercent}: no stop-loss could pass`,
      });
    }
  });

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Fill defaults and validate; every problem is listed, naming the key and what was expected. */
export function resolveConfig(input: ConfigInput = {}, source = 'config'): Config {
  return parseOrThrow(ConfigSchema, input, source, (line) => new ConfigError(line));
}

/** The minimum take-profit distance that can ever be profitable: the round-trip cost (SEMANTICS §3.1). */
export function roundTripCostPercent(config: Config): number {
  return 2 * config.feePercent + 2 * config.slippagePercent;
}
