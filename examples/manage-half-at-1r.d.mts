import type { Strategy } from '../src/core/strategy.js';
declare const strategy: Strategy;
export default strategy;
