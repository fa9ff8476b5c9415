import type { CandleSource } from '../sources/candle-source.js';
import { syntheticCandles } from '../sources/synthetic.js';
import type { Strategy } from '../core/strategy.js';
import smaCross from '../../examples/sma-cross.mjs';

/** The demo: three synthetic symbols, three months of 1-minute candles, generated from a fixed seed. */
export const DEMO_SYMBOLS = ['SYNA/USDT', 'SYNB/USDT', 'SYNC/BTC'] as const;
export const DEMO_START = Date.UTC(2024, 0, 1);
export const DEMO_MINUTES = 90 * 1440;

export function demoSource(): CandleSource {
  return syntheticCandles({ symbols: [...DEMO_SYMBOLS], start: DEMO_START, count: DEMO_MINUTES, seed: 42, gaps: { probability: 0.0005, minutes: 30 } });
}

export const demoStrategies: Strategy[] = [smaCross as Strategy];
