import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// Unsubscribing mid-ask must release every timer the run holds (the strategy's and the risk validations'
// `signalTimeoutMs`): a script that stops its run has nothing left to wait for, and exits on its own.

const DIST = pathToFileURL(path.resolve(__dirname, '../../dist/index.js')).href;

const script = (what: 'strategy' | 'risk') => `
import { backtest, replayCandles } from ${JSON.stringify(DIST)};
const candles = Array.from({ length: 50 }, (_, i) => [Date.UTC(2024, 0, 1) + i * 60000, 1, 1.01, 0.99, 1, 1]);
const never = () => new Promise(() => {});
let subscription;
const stop = () => queueMicrotask(() => { subscription.unsubscribe(); console.log('unsubscribed'); });
const strategy = ${JSON.stringify(what)} === 'strategy'
  ? { name: 'thinking', interval: '1m', getSignal: () => { stop(); return never(); } }
  : { name: 'eager', interval: '1m', getSignal: (ctx) => ({ position: 'long', priceTakeProfit: ctx.price * 1.02, priceStopLoss: ctx.price * 0.98, minuteEstimatedTime: 10 }) };
const risk = { name: 'slow', validations: [() => { stop(); return never(); }] };
subscription = backtest({ source: replayCandles({ X: candles }), strategies: [strategy], risk }).subscribe();
`;

function run(source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a run unsubscribed while waiting lets the process exit (dist build)', () => {
  it.each(['strategy', 'risk'] as const)('waiting on the %s', async (what) => {
    const result = await run(script(what));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('unsubscribed\n');
    expect(result.code).toBe(0);
  });
});
