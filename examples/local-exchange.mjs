// A tiny stand-in for Binance's spot REST API, enough for ccxt's `binance` to load markets and page through
// candles: /api/v3/exchangeInfo, /api/v3/time, /api/v3/ping and /api/v3/klines, with deterministic synthetic
// candles. For trying `tickflow live` without touching a real exchange, and for the benchmarks.
//
//   node examples/local-exchange.mjs [--port 8999] [--speed 60]
//
// `--speed 60` makes its clock run 60 times faster than real time (a minute of market per second), starting from
// the real time at launch; the node under test sees that clock through `fetchTime`.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const INTERVALS = { '1m': 60e3, '3m': 180e3, '5m': 300e3, '15m': 900e3, '30m': 1800e3, '1h': 3600e3, '4h': 14400e3, '1d': 86400e3 };

const round = (x) => Math.round(x * 1e6) / 1e6;

/** Deterministic candles: superposed waves, seeded by the symbol so markets differ. */
export function syntheticCandle(symbol, openTime, intervalMs) {
  let seed = 0;
  for (let i = 0; i < symbol.length; i++) seed = (seed * 31 + symbol.charCodeAt(i)) % 997;
  const base = 100 + seed;
  const price = (t) => base * (1 + 0.02 * Math.sin(t / 2_220_000 + seed) + 0.005 * Math.sin(t / 420_000));
  const open = round(price(openTime));
  const close = round(price(openTime + intervalMs));
  const mid = round(price(openTime + intervalMs / 2));
  return [openTime, open, round(Math.max(open, close, mid) * 1.0005), round(Math.min(open, close, mid) * 0.9995), close, round(1 + ((openTime / 60_000 + seed) % 17) / 4)];
}

/**
 * Starts the exchange on 127.0.0.1. `clock` is its time (default: real time, sped up by `speed`); candles that have
 * not closed by it are served as still forming, like a real exchange.
 */
export async function startLocalExchange({ port = 0, symbols = ['BTC/USDT', 'ETH/USDT'], speed = 1, clock } = {}) {
  const t0 = Date.now();
  const now = clock ?? (() => Math.floor(t0 + (Date.now() - t0) * speed));
  const markets = new Map(symbols.map((s) => [s.replace('/', ''), s]));
  let requests = 0;
  const exchangeInfo = () => ({
    timezone: 'UTC',
    serverTime: now(),
    rateLimits: [],
    symbols: [...markets].map(([id, symbol]) => {
      const [base, quote] = symbol.split('/');
      return {
        symbol: id, status: 'TRADING', baseAsset: base, quoteAsset: quote, baseAssetPrecision: 8, quoteAssetPrecision: 8,
        orderTypes: ['LIMIT', 'MARKET'], isSpotTradingAllowed: true, isMarginTradingAllowed: false, permissions: ['SPOT'],
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '0.00000001', maxPrice: '1000000.00000000', tickSize: '0.00000001' },
          { filterType: 'LOT_SIZE', minQty: '0.00000001', maxQty: '9000000.00000000', stepSize: '0.00000001' },
        ],
      };
    }),
  });
  const klines = (q) => {
    const symbol = markets.get(q.get('symbol'));
    const step = INTERVALS[q.get('interval')];
    if (symbol === undefined) return [400, { code: -1121, msg: 'Invalid symbol.' }];
    if (step === undefined) return [400, { code: -1120, msg: 'Invalid interval.' }];
    const limit = Math.min(Number(q.get('limit') ?? 500), 1000);
    const t = now();
    const end = Math.min(q.has('endTime') ? Number(q.get('endTime')) : Infinity, t);
    const rows = [];
    let from = q.has('startTime') ? Math.ceil(Number(q.get('startTime')) / step) * step : Math.floor(end / step) * step - (limit - 1) * step;
    for (; from <= end && rows.length < limit; from += step) {
      const c = syntheticCandle(symbol, from, step);
      if (from + step > t) {
        // Still forming: only what has happened so far.
        const done = (t - from) / step;
        c[4] = round(c[1] + (c[4] - c[1]) * done);
        c[2] = Math.max(c[1], c[4]);
        c[3] = Math.min(c[1], c[4]);
        c[5] = round(c[5] * done);
      }
      rows.push([c[0], ...c.slice(1).map((x) => x.toFixed(8)), c[0] + step - 1, '0', 10, '0', '0', '0']);
    }
    return [200, rows];
  };
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let answer;
    if (url.pathname === '/api/v3/klines') answer = klines(url.searchParams);
    else if (url.pathname === '/api/v3/time') answer = [200, { serverTime: now() }];
    else if (url.pathname === '/api/v3/ping') answer = [200, {}];
    else if (url.pathname === '/api/v3/exchangeInfo') answer = [200, exchangeInfo()];
    else answer = [404, { code: -1, msg: `not served by the local exchange: ${url.pathname}` }];
    const body = JSON.stringify(answer[1]);
    res.writeHead(answer[0], { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    now,
    requests: () => requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8999' }, speed: { type: 'string', default: '1' } } });
  const exchange = await startLocalExchange({ port: Number(values.port), speed: Number(values.speed) });
  process.stderr.write(`local exchange on ${exchange.url} (clock ×${values.speed}); Ctrl-C to stop\n`);
}
