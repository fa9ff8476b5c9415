// A portfolio on generated data: a shared risk limit, position sizing, partial milestones, per-symbol heat,
// a walker comparing three strategies, and the HTML report. Run it (after `npm run build`): node examples/portfolio.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { lastValueFrom, filter, tap, toArray } from 'rxjs';
import {
  backtest,
  defineRisk,
  heat,
  heatMarkdownReport,
  htmlReport,
  partialMarkdownReport,
  computePartialStatistics,
  sizePositions,
  summarizeEvents,
  syntheticCandles,
  walker,
} from 'tickflow';
import smaCross from './sma-cross.mjs';
import rsiReversion from './rsi-reversion.mjs';
import channelBreakout from './channel-breakout.mjs';

const source = () => syntheticCandles({ symbols: 4, start: '2024-01-01', count: 30 * 1440, seed: 11 });

// Risk: at most two open positions across every symbol and strategy, and no shorts.
const risk = defineRisk({
  name: 'two-longs',
  maxConcurrentPositions: 2,
  validations: [{ validate: ({ position }) => position === 'long', note: 'longs only' }],
});

const events = await lastValueFrom(
  backtest({ source: source(), strategies: [smaCross], risk })
    .pipe(
      // Sizing: risk 1 % of a 10 000 balance per trade, never more than 25 % of it in one position.
      sizePositions({ balance: 10_000, sizing: { method: 'fixed-percentage', riskPercent: 1, maxPositionPercent: 25 } }),
      toArray(),
    ),
);
const opened = events.filter((e) => e.action === 'opened');
const rejected = events.filter((e) => e.action === 'risk');
console.log(`opened ${opened.length}, rejected by risk ${rejected.length}, first quantity ${opened[0]?.quantity}`);

// Partial milestones: how often each level toward TP / SL was reached.
console.log(partialMarkdownReport(computePartialStatistics(events)).split('\n').slice(0, 6).join('\n'));

// Heat: statistics per symbol, best Sharpe first.
const portfolio = await lastValueFrom(heat({ source: source(), strategies: [smaCross] }));
console.log(heatMarkdownReport(portfolio).split('\n').slice(0, 8).join('\n'));

// Walker: three strategies over one shared pass of the candles, ranked by Sharpe ratio.
const result = await lastValueFrom(
  walker({ source: source(), strategies: [smaCross, rsiReversion, channelBreakout], metric: 'sharpeRatio' }).pipe(
    filter((e) => e.type === 'result'),
  ),
);
console.log(`walker: best ${result.bestStrategy} (${result.metric} ${result.bestValue?.toFixed(4)})`);

// The HTML report: equity curve, drawdown, trade table; self-contained.
mkdirSync('out', { recursive: true });
writeFileSync('out/portfolio.html', htmlReport(summarizeEvents(events), { title: 'Portfolio (two longs)' }));
console.log('wrote out/portfolio.html');
