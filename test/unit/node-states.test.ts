import { describe, expect, it } from 'vitest';
import { nextPhase, type NodeEvent } from '../../src/pipelines/node-states.js';
import { LiveMonitor, type LivePhase } from '../../src/live.js';

const EVENTS: readonly NodeEvent[] = ['warm-up', 'run', 'drain', 'stop'];
const PHASES: readonly LivePhase[] = ['starting', 'warming-up', 'running', 'draining', 'stopped'];

describe('the live node state machine', () => {
  it('has exactly these moves (every other one is a defect and throws)', () => {
    const table: Record<string, Record<string, string>> = {};
    for (const phase of PHASES) {
      table[phase] = {};
      for (const event of EVENTS) {
        try {
          table[phase]![event] = nextPhase(phase, event);
        } catch (err) {
          expect((err as Error).message).toBe(`live node: '${event}' is not a move from '${phase}'`);
          table[phase]![event] = '—';
        }
      }
    }
    expect(table).toEqual({
      starting: { 'warm-up': 'warming-up', run: 'running', drain: 'draining', stop: 'stopped' },
      'warming-up': { 'warm-up': '—', run: 'running', drain: 'draining', stop: 'stopped' },
      running: { 'warm-up': '—', run: '—', drain: 'draining', stop: 'stopped' },
      draining: { 'warm-up': 'draining', run: 'draining', drain: 'draining', stop: 'stopped' },
      stopped: { 'warm-up': '—', run: '—', drain: 'stopped', stop: 'stopped' },
    });
  });

  it('a drain asked for while starting stays a drain through warm-up and catch-up, then stops', () => {
    const monitor = new LiveMonitor();
    const seen: LivePhase[] = [];
    monitor.onChange(() => seen.push(monitor.phase));
    for (const event of ['drain', 'warm-up', 'run', 'stop'] as const) monitor.move(event);
    expect(seen).toEqual(['draining', 'stopped']);
  });

  it('every state reaches stopped, and stopped is final', () => {
    for (const phase of PHASES) expect(nextPhase(phase, 'stop')).toBe('stopped');
    for (const event of EVENTS) {
      let after: LivePhase | 'throws';
      try {
        after = nextPhase('stopped', event);
      } catch {
        after = 'throws';
      }
      expect(after === 'stopped' || after === 'throws').toBe(true);
    }
  });
});
