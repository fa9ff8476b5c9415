import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { series } from './helpers.js';

/** A temporary folder for candle files, strategy modules and event files; `remove()` deletes it. */
export function scratch(prefix: string): { dir: string; file: (name: string, text: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A candle file as the CLI reads it: a JSON array of `{ timestamp, open, high, low, close, volume }`. */
export const candleFileText = (count: number, phase: number) => JSON.stringify(series(count, phase));

/**
 * The helpers' `longs` and `shorts` strategies as an ES module the CLI can load (the CLI imports strategies from
 * files, so they are written out in JavaScript).
 */
export const STRATEGIES_MODULE = `
const MIN = 60000;
const T0 = Date.UTC(2024, 0, 1);
const periodic = (name, position, everyMinutes) => ({
  name,
  interval: '5m',
  getSignal(ctx) {
    if (Math.round((ctx.now - T0) / MIN) % everyMinutes !== 0) return null;
    const p = ctx.price;
    const up = position === 'long' ? 1 : -1;
    return { position, priceTakeProfit: p * (1 + 0.01 * up), priceStopLoss: p * (1 - 0.008 * up), minuteEstimatedTime: 90 };
  },
});
export default [periodic('longs', 'long', 45), periodic('shorts', 'short', 70)];
`;

/** The helpers' `momentum` strategy as an ES module (default export). */
export const MOMENTUM_MODULE = `
const MIN = 60000;
const T0 = Date.UTC(2024, 0, 1);
export default {
  name: 'momentum',
  interval: '5m',
  getSignal(ctx) {
    if (Math.round((ctx.now - T0) / MIN) % 25 !== 0) return null;
    const bars = ctx.candles('5m', 6);
    if (bars.length < 6 || bars[5].close <= bars[0].close) return null;
    return { position: 'long', priceTakeProfit: ctx.price * 1.006, priceStopLoss: ctx.price * 0.994, minuteEstimatedTime: 60 };
  },
};
`;
