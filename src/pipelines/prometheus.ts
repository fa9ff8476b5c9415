import type { LiveStatus } from './live-monitor.js';

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(x: number): string {
  return Number.isFinite(x) ? String(x) : x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
}

interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly samples: ReadonlyArray<readonly [labels: string, value: number]>;
}

/**
 * A live node's status in the Prometheus text exposition format (version 0.0.4): candles processed, events by
 * action, open positions and scheduled signals, the age of the newest candle per symbol, errors, the phase, and the
 * account's equity and free cash once the node runs.
 *
 * @example
 * ```ts
 * response.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
 * response.end(prometheusText(monitor.status()));
 * ```
 */
export function prometheusText(status: LiveStatus): string {
  const symbols = Object.entries(status.symbols);
  const families: Family[] = [
    {
      name: 'tickflow_candles_processed_total',
      type: 'counter',
      help: 'Closed candles handed to the lanes (warm-up excluded), by symbol.',
      samples: symbols.map(([s, v]) => [`symbol="${label(s)}"`, v.candles]),
    },
    {
      name: 'tickflow_warmup_candles_total',
      type: 'counter',
      help: 'Candles loaded into the price history before the lanes resumed.',
      samples: [['', status.warmupCandles]],
    },
    {
      name: 'tickflow_events_total',
      type: 'counter',
      help: 'Events released, by action (re-deliveries after a restart included).',
      samples: Object.entries(status.events).map(([a, n]) => [`action="${label(a)}"`, n ?? 0]),
    },
    {
      name: 'tickflow_open_positions',
      type: 'gauge',
      help: 'Lanes holding an open position.',
      samples: [['', status.openPositions]],
    },
    {
      name: 'tickflow_scheduled_signals',
      type: 'gauge',
      help: 'Lanes holding a scheduled signal (a resting limit entry).',
      samples: [['', status.scheduledSignals]],
    },
    {
      name: 'tickflow_last_candle_age_seconds',
      type: 'gauge',
      help: "Seconds since the newest processed candle closed, by the node's clock, by symbol.",
      samples: symbols.filter(([, v]) => v.lastCandleAgeSeconds !== null).map(([s, v]) => [`symbol="${label(s)}"`, v.lastCandleAgeSeconds!]),
    },
    {
      name: 'tickflow_errors_total',
      type: 'counter',
      help: 'Error events (exchange requests, strategies).',
      samples: [['', status.errors]],
    },
    {
      name: 'tickflow_duplicate_candles_total',
      type: 'counter',
      help: 'Candles the exchange sent twice (dropped, the first wins).',
      samples: [['', status.duplicateCandles]],
    },
    {
      name: 'tickflow_up',
      type: 'gauge',
      help: 'The node phase: 1 for the current one.',
      samples: [[`phase="${label(status.phase)}"`, 1]],
    },
  ];
  if (status.account !== null) {
    families.push(
      {
        name: 'tickflow_equity',
        type: 'gauge',
        help: 'The account: free cash plus open positions marked to their symbol\'s latest close (quote currency).',
        samples: [['', status.account.equity]],
      },
      { name: 'tickflow_cash', type: 'gauge', help: 'The account: free cash (quote currency).', samples: [['', status.account.cash]] },
    );
  }
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, value] of f.samples) lines.push(`${f.name}${labels ? `{${labels}}` : ''} ${num(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
