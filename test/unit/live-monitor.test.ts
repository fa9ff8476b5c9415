import { describe, expect, it } from 'vitest';
import { IDLE_STATE } from '../../src/core/lane.js';
import type { SignalEvent } from '../../src/core/events.js';
import type { Signal } from '../../src/core/signal.js';
import { LiveMonitor, prometheusText } from '../../src/live.js';

const MIN = 60_000;
const signal: Signal = {
  id: 's1',
  position: 'long',
  priceOpen: 100,
  priceTakeProfit: 102,
  priceStopLoss: 98,
  minuteEstimatedTime: 10,
  scheduledAt: 0,
  pendingAt: null,
  note: null,
};
const base = { strategy: 'sma', symbol: 'BTC/USDT', now: MIN, signal };
const ev = (action: string, extra: Record<string, unknown> = {}) => ({ ...base, action, eventId: action, ...extra }) as unknown as SignalEvent;

describe('LiveMonitor', () => {
  it('follows what each lane holds: restored states, then events', () => {
    const m = new LiveMonitor();
    m.restoreLane('sma', 'ETH/USDT', { ...IDLE_STATE, signal: { ...signal, pendingAt: 0 } });
    expect([m.openPositions, m.scheduledSignals, m.busyLanes]).toEqual([1, 0, 1]);
    m.event(ev('scheduled'));
    expect([m.openPositions, m.scheduledSignals]).toEqual([1, 1]);
    m.event(ev('opened'));
    expect([m.openPositions, m.scheduledSignals]).toEqual([2, 0]);
    let changes = 0;
    m.onChange(() => changes++);
    m.event(ev('closed'));
    m.event({ action: 'cancelled', ...base, symbol: 'ETH/USDT', eventId: 'c', reason: 'timeout', closeTimestamp: MIN } as SignalEvent);
    expect([m.busyLanes, changes]).toEqual([0, 2]);
    m.event({ action: 'error', eventId: 'e', symbol: 'BTC/USDT', strategy: '*', now: MIN, message: 'boom' });
    expect(m.status()).toMatchObject({ errors: 1, lastError: 'boom', events: { scheduled: 1, opened: 1, closed: 1, cancelled: 1, error: 1 } });
  });

  it('counts candles per symbol, the age of the newest by its own clock, and the warm-up apart', () => {
    let now = 10 * MIN;
    const m = new LiveMonitor({ now: () => now });
    m.watch(['ETH/USDT', 'BTC/USDT'], MIN);
    m.candle('BTC/USDT', 0, true);
    m.candle('BTC/USDT', 7 * MIN, false);
    m.resumeAfter('ETH/USDT', 3 * MIN);
    now = 10 * MIN + 500;
    expect(m.status()).toMatchObject({
      candlesProcessed: 1,
      warmupCandles: 1,
      uptimeSeconds: 0.5,
      symbols: {
        'BTC/USDT': { candles: 1, lastCandle: 7 * MIN, lastCandleAgeSeconds: 120.5 },
        'ETH/USDT': { candles: 0, lastCandle: 3 * MIN, lastCandleAgeSeconds: 360.5 },
      },
    });
    expect(Object.keys(m.status().symbols)).toEqual(['BTC/USDT', 'ETH/USDT']);
  });
});

describe('prometheusText', () => {
  it('writes every family with HELP and TYPE, labels escaped', () => {
    const m = new LiveMonitor({ now: () => 2 * MIN });
    m.watch(['A"B\\C\nD'], MIN);
    m.candle('A"B\\C\nD', 0, false);
    m.event(ev('opened'));
    m.move('run');
    const text = prometheusText(m.status());
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toContain('tickflow_candles_processed_total{symbol="A\\"B\\\\C\\nD"} 1');
    expect(lines).toContain('tickflow_last_candle_age_seconds{symbol="A\\"B\\\\C\\nD"} 60');
    expect(lines).toContain('tickflow_events_total{action="opened"} 1');
    expect(lines).toContain('tickflow_open_positions 1');
    expect(lines).toContain('tickflow_up{phase="running"} 1');
    const families = lines.filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]);
    expect(families).toEqual([
      'tickflow_candles_processed_total',
      'tickflow_warmup_candles_total',
      'tickflow_events_total',
      'tickflow_open_positions',
      'tickflow_scheduled_signals',
      'tickflow_last_candle_age_seconds',
      'tickflow_errors_total',
      'tickflow_duplicate_candles_total',
      'tickflow_up',
    ]);
    for (const f of families) expect(lines.indexOf(`# TYPE ${f} ${f === 'tickflow_up' || f.endsWith('positions') || f.endsWith('signals') || f.endsWith('seconds') ? 'gauge' : 'counter'}`)).toBe(lines.findIndex((l) => l.startsWith(`# HELP ${f} `)) + 1);
  });
});
