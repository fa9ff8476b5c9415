/**
 * The default prompt templates. `{{name}}` placeholders are filled by {@link renderTemplate}; a user's template (a
 * file or an option) replaces any of them and may use the same placeholders.
 */

/** The contract a generated module must meet: the Strategy type, ctx, the parameter space, what is forbidden. */
export const STRATEGY_CONTRACT = `You write trading strategies for tickflow, a backtesting engine for OHLCV candles.

Answer with exactly ONE fenced \`\`\`javascript code block holding an ES module. Its default export is the strategy:

    export default {
      name: string,              // short, kebab-case
      interval: '1m' | '3m' | '5m' | '15m' | '30m' | '1h',  // getSignal is asked only when now is a multiple of it
      params?: { NAME: SPEC, ... },   // optional parameter space (see below)
      getSignal(ctx) { ... }     // returns null (no trade) or a signal (below); may be synchronous
    }

ctx (read only; everything in it is in the past):
- ctx.symbol: string; ctx.now: epoch ms of the decision; ctx.date: the same instant as a Date
- ctx.price: the current price (volume-weighted over the last 5 one-minute candles)
- ctx.candles(interval, limit): closed candles only, oldest first, newest last, at most \`limit\`; each candle is
  { timestamp (open time, epoch ms), open, high, low, close, volume }. interval is one of 1m 3m 5m 15m 30m 1h 2h 4h
  6h 8h 12h 1d; candles above 1m are aggregated from 1m candles. Early in the data fewer candles exist: check length.
- ctx.params: the values of this run's parameters (every declared name present)
- ctx.formatPrice(x), ctx.formatQuantity(x): strings

A signal: { position: 'long' | 'short', priceTakeProfit, priceStopLoss, minuteEstimatedTime, priceOpen?, note? }
- long: priceTakeProfit > price > priceStopLoss; short: priceTakeProfit < price < priceStopLoss
- take-profit at least 0.4 % from the price, stop-loss between 0.5 % and 20 % from it
- minuteEstimatedTime: an integer number of minutes > 0 and <= 1440 (the position is closed after it)
- without priceOpen the position opens at the current price; with priceOpen it waits for that limit price
- one position at a time per symbol: getSignal is not asked while a position is open or waiting

Parameter space (optional): params: { NAME: SPEC } where SPEC is
  { type: 'int', min, max, step?, default } | { type: 'float', min, max, step?, log?, default } |
  { type: 'choice', values: [...], default }
(default inside the range; step must divide max - min). tickflow searches these on later data; keep them few (≤ 3)
and coarse. Read them from ctx.params. Do not declare a \`constraint\`: return null for combinations that make no sense.

Forbidden (the code is checked before it runs and rejected otherwise): any import or require, process, globalThis,
global, eval, Function, import(), timers (setTimeout, setInterval, ...), fetch and any network, file or thread
access, Reflect, Proxy, .constructor, .prototype, __proto__, Object.defineProperty / setPrototypeOf, changing
built-ins (Math.x = ...), Math.random, Date.now and new Date() without an argument (use ctx.now). Plain
computation only: helper functions and constants at the top level are fine. Each getSignal call must finish quickly
(well under a second) and use little memory.`;

/** One complete example module. */
export const STRATEGY_EXAMPLE = `\`\`\`javascript
function average(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export default {
  name: 'ema-pullback',
  interval: '15m',
  params: {
    lookback: { type: 'int', min: 12, max: 48, step: 12, default: 24 },
    dip: { type: 'float', min: 0.002, max: 0.01, step: 0.002, default: 0.004 },
  },
  getSignal(ctx) {
    const { lookback, dip } = ctx.params;
    const candles = ctx.candles('15m', lookback);
    if (candles.length < lookback) return null;
    const mean = average(candles.map((c) => c.close));
    const trendUp = candles[candles.length - 1].close > candles[0].close;
    if (!trendUp || ctx.price > mean * (1 - dip)) return null;
    return {
      position: 'long',
      priceTakeProfit: ctx.price * 1.01,
      priceStopLoss: ctx.price * 0.993,
      minuteEstimatedTime: 360,
      note: 'pullback in an up-trend',
    };
  },
};
\`\`\``;

export const DEFAULT_SYSTEM_TEMPLATE = `{{contract}}

A complete example:

{{example}}`;

export const DEFAULT_USER_TEMPLATE = `Candidate {{candidate}} of {{candidates}} (round {{round}}).

Here is the training data: summaries of the market over the training window, per symbol.

{{data}}

Write one strategy that you expect to be profitable after costs (0.1 % fee and 0.1 % slippage per side) on this
market in the weeks after this window. Make it different from the obvious first idea when the candidate number is
above 1. Answer with one \`\`\`javascript code block only.`;

export const DEFAULT_REFINE_TEMPLATE = `Candidate {{candidate}} of {{candidates}} (round {{round}}): improve this strategy.

The training data:

{{data}}

The strategy:

\`\`\`javascript
{{code}}
\`\`\`

What it did on the training window:

{{statistics}}

Write an improved version (fewer losing trades, better risk/reward, robust rather than fitted to this window).
Answer with one \`\`\`javascript code block only.`;

/** Fills `{{name}}` placeholders; an unknown placeholder is an error naming it (a typo in a user's template). */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>, what = 'prompt template'): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${what}: unknown placeholder {{${name}}} (known: ${Object.keys(values).map((k) => `{{${k}}}`).join(' ')})`);
    return value;
  });
}
