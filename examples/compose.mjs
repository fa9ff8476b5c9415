// Compose the lane operators by hand and insert your own: here a filter that vetoes new signals on weekends.
// Run it (after `npm run build`): node examples/compose.mjs
import { toArray, lastValueFrom } from 'rxjs';
import {
  activateScheduled,
  askStrategy,
  averagePrice,
  enterSignal,
  laneEvents,
  monitorSignal,
  openLane,
  partialMilestones,
  resolveConfig,
  runStages,
  syntheticCandles,
  computeStatistics,
} from 'tickflow';
import smaCross from './sma-cross.mjs';

const config = resolveConfig({ feePercent: 0.075 });

/** A lane stage: drop the strategy's proposal when `now` falls on a Saturday or Sunday (UTC). */
const noWeekends = (step) => {
  const day = new Date(step.bar.now).getUTCDay();
  if (step.proposal !== null && (day === 0 || day === 6)) step.proposal = null;
};

const candles = syntheticCandles({ symbols: ['SYN/USDT'], start: '2024-01-01', count: 30 * 1440, seed: 3 });

const events = await lastValueFrom(
  candles.pipe(
    averagePrice(config),
    openLane({ strategy: smaCross.name }),
    activateScheduled(config),
    monitorSignal(config),
    partialMilestones(config),
    askStrategy(smaCross, config),
    runStages(noWeekends), // your own operator, between the strategy and the entry
    enterSignal(),
    laneEvents(),
    toArray(),
  ),
);

const opened = events.filter((e) => e.action === 'opened');
const weekend = opened.filter((e) => [0, 6].includes(new Date(e.now).getUTCDay()));
const stats = computeStatistics(events);
console.log(`opened ${opened.length} signals, ${weekend.length} on a weekend`);
console.log(`closed ${stats.totalSignals}, total PnL ${stats.totalPnl.toFixed(3)} %, max drawdown ${stats.maxDrawdown?.toFixed(3)} %`);
