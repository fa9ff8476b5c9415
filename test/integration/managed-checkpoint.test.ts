import { describe, expect, it } from 'vitest';
import { signalEvent, levelMovedEvent } from '../../src/core/events.js';
import { laneState, type LaneState } from '../../src/core/lane.js';
import { managedPosition } from '../../src/core/managed-position.js';
import type { Signal } from '../../src/core/signal.js';
import { restoreFrom } from '../../src/operators/checkpoint.js';
import { CHECKPOINT_FORMAT, checkpointV1ToV2 } from '../../src/store/records.js';
import { tempStore } from '../support/temp-store.js';
import { deferredCleanups } from '../support/cleanups.js';

// The lane checkpoint keeps an open signal's management (SEMANTICS §11, §13): peak, levels, parts and leverage.
const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const lane = { strategy: 'trail', symbol: 'BTC/USDT' };

const signal: Signal = {
  id: 'trail:BTC/USDT:1704067260000',
  position: 'long',
  priceOpen: 100,
  priceTakeProfit: 120,
  priceStopLoss: 95,
  minuteEstimatedTime: 600,
  scheduledAt: T0 + MIN,
  pendingAt: T0 + MIN,
  note: null,
  trailingStop: { distancePercent: 3, activationPercent: 1 },
  breakeven: { triggerPercent: 1 },
  leverage: 5,
  liquidationPrice: 80.5,
};
const managed = managedPosition(108, 104.76, 100.4, null, 115, 0.5, [{ fraction: 0.5, price: 106, now: T0 + 4 * MIN, pnlPercentage: 28.5 }]);
const state: LaneState = laneState(signal, { profit: [10, 20], loss: [] }, T0 + MIN, managed);
const moved = levelMovedEvent(lane, signal, T0 + 5 * MIN, 'stop_moved', 100.4, 104.76, 'trailing');

const defer = deferredCleanups();

describe('checkpoints of managed positions', () => {
  it('round-trip peak, levels, parts and leverage, and lane progress keeps them', async () => {
    const t = await tempStore();
    defer(t.cleanup);
    t.store.writeCut([{ ...lane, checkpoint: { state, lastTimestamp: T0 + 4 * MIN, events: [signalEvent('opened', lane, signal, T0 + MIN), moved] } }], []);
    t.store.writeCut([], [{ ...lane, lastTimestamp: T0 + 9 * MIN, lastAskedAt: T0 + 5 * MIN }]);
    const store = await t.reopen();
    const cp = store.readCheckpoint(lane.strategy, lane.symbol)!;
    expect(cp.version).toBe(2);
    expect(cp.state).toEqual(laneState(signal, { profit: [10, 20], loss: [] }, T0 + 5 * MIN, managed));
    expect(cp.events[1]).toEqual(moved);
    expect(restoreFrom(store)(lane.strategy, lane.symbol)).toEqual({ state: cp.state, lastTimestamp: T0 + 9 * MIN });
    expect(t.reports).toEqual([]);
  });

  it('refuses to store a managed state the schema cannot describe (a fraction above 1), naming the field', async () => {
    const t = await tempStore();
    defer(t.cleanup);
    const bad = laneState(signal, { profit: [], loss: [] }, null, managedPosition(null, null, null, null, null, 1.5, []));
    expect(() => t.store.writeCut([{ ...lane, checkpoint: { state: bad, lastTimestamp: T0, events: [] } }], [])).toThrow(/not storable: .*remaining/);
  });

  it('migrates a v1 checkpoint to v2: nothing managed yet', () => {
    const { trailingStop: _t, breakeven: _b, leverage: _l, liquidationPrice: _p, ...plain } = signal;
    const v1 = { version: 1, state: { signal: plain, partials: { profit: [], loss: [] }, lastAskedAt: null }, lastTimestamp: T0, events: [] };
    expect(CHECKPOINT_FORMAT.read(v1)).toEqual({
      ok: true,
      from: 1,
      value: { version: 2, state: { signal: plain, partials: { profit: [], loss: [] }, lastAskedAt: null, managed: null }, lastTimestamp: T0, events: [] },
    });
    expect(checkpointV1ToV2(v1 as never).state.managed).toBeNull();
    // A v1 record cannot carry management fields: they are drift there, not data.
    expect(CHECKPOINT_FORMAT.read({ ...v1, state: { ...v1.state, signal } })).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint format v1: .*trailingStop/) });
  });
});
