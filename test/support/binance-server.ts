/**
 * A local stand-in for Binance spot REST, for tests: the endpoints ccxt's real `binance` class calls for
 * `fetchOHLCV` and `fetchTime`, deterministic candles, a clock the test controls (so the still-forming candle exists
 * and can be checked never to leak out) and faults on demand. Bound to 127.0.0.1 on a free port; `exchange()` gives
 * a ccxt `binance` whose every API URL points here, so a test can never reach the internet.
 *
 * @example
 * ```ts
 * const server = await startBinanceServer({ now: T0 + 90 * MIN, markets: { 'BTC/USDT': { from: T0 } } });
 * const exchange = server.exchange({ timeout: 500 });
 * server.inject({ kind: 'status', status: 429 }, { times: 2 });
 * await exchange.fetchOHLCV('BTC/USDT', '1m', T0, 10); // throws RateLimitExceeded, twice
 * await server.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import ccxt from 'ccxt';
import type { Candle } from '../../src/core/candle.js';
import { INTERVAL_MS, type Interval } from '../../src/core/intervals.js';

export type Fault =
  /** Never answer (the client's timeout fires; the socket is destroyed when the server closes). */
  | { readonly kind: 'hang' }
  /** Answer correctly, `ms` late. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Answer with this HTTP status and a Binance-style error body (429: code -1003, 5xx: code -1000). */
  | { readonly kind: 'status'; readonly status: number }
  /** A short page: only the first `keep` candles, although more exist in the range. */
  | { readonly kind: 'truncate-rows'; readonly keep: number }
  /** The body stops half-way: `reset` drops the connection mid-body, `short` ends it cleanly with cut JSON. */
  | { readonly kind: 'truncate-body'; readonly mode: 'reset' | 'short' }
  /** Every candle of the page twice. */
  | { readonly kind: 'duplicate' }
  /** The first two candles of the page swapped. */
  | { readonly kind: 'out-of-order' };

export interface MarketSpec {
  /** Open time of the market's first candle (default: the server's `from`). */
  readonly from?: number;
  /** The closed candle opening at `openTime` for an interval of `intervalMs`, or null for a gap (no trades). */
  readonly candle?: (openTime: number, intervalMs: number) => Candle | null;
  /** Fixed candles instead of a function, served for `interval` (default '1m') only. */
  readonly candles?: readonly Candle[];
  readonly interval?: Interval;
}

export interface BinanceServerOptions {
  /** The exchange's current time (epoch ms): candles open at or before it exist, the last one still forming. */
  readonly now: number;
  /** Markets by ccxt symbol (`BTC/USDT`); default: BTC/USDT and ETH/USDT with synthetic candles. */
  readonly markets?: Readonly<Record<string, MarketSpec>>;
  /** Default first candle of every market (default: 30 days before `now`). */
  readonly from?: number;
}

export interface ServedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The fault applied, if any. */
  readonly fault?: Fault['kind'];
}

export interface BinanceServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The exchange's clock; tests move it with `now = …` or {@link advance}. */
  now: number;
  advance(ms: number): void;
  /** Every request received, in order. */
  readonly requests: readonly ServedRequest[];
  /** Requests to `/api/v3/klines`. */
  klineRequests(): ServedRequest[];
  /** Requests for paths this server does not serve (a test should expect none). */
  strays(): ServedRequest[];
  /** Apply `fault` to the next `times` (default 1) requests of `path` (default `/api/v3/klines`). */
  inject(fault: Fault, options?: { readonly times?: number; readonly path?: string }): void;
  /** Faults still queued. */
  pendingFaults(): number;
  /** The closed candle the server has for `symbol` at `openTime` (what a correct client must end up with). */
  candleAt(symbol: string, openTime: number, interval?: Interval): Candle | null;
  /** Closed candles with `from ≤ openTime < to`, as the exchange holds them. */
  closedCandles(symbol: string, from: number, to: number, interval?: Interval): Candle[];
  /** ccxt's real `binance` class, every API URL pointed here and the markets set (no `loadMarkets` request). */
  exchange(config?: Record<string, unknown>): InstanceType<typeof ccxt.binance>;
  close(): Promise<void>;
}

const MAX_LIMIT = 1000;

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Deterministic candles: a few superposed waves, seeded by the symbol so markets differ. */
export function syntheticCandle(symbol: string, openTime: number, intervalMs: number): Candle {
  let seed = 0;
  for (let i = 0; i < symbol.length; i++) seed = (seed * 31 + symbol.charCodeAt(i)) % 997;
  const base = 100 + seed;
  const price = (t: number) => base * (1 + 0.02 * Math.sin(t / 2_220_000 + seed) + 0.005 * Math.sin(t / 420_000));
  const open = round(price(openTime));
  const close = round(price(openTime + intervalMs));
  const mid = round(price(openTime + intervalMs / 2));
  return {
    timestamp: openTime,
    open,
    high: round(Math.max(open, close, mid) * 1.0005),
    low: round(Math.min(open, close, mid) * 0.9995),
    close,
    volume: round(1 + ((openTime / 60_000 + seed) % 17) / 4),
  };
}

/** What an exchange shows for a candle still forming at `now`: the part of it that has happened so far. */
function formingCandle(final: Candle, now: number, intervalMs: number): Candle {
  const done = (now - final.timestamp) / intervalMs;
  const close = round(final.open + (final.close - final.open) * done);
  return {
    timestamp: final.timestamp,
    open: final.open,
    high: Math.max(final.open, close),
    low: Math.min(final.open, close),
    close,
    volume: round(final.volume * done),
  };
}

function klineRow(c: Candle, intervalMs: number): unknown[] {
  const s = (x: number) => x.toFixed(8);
  return [c.timestamp, s(c.open), s(c.high), s(c.low), s(c.close), s(c.volume), c.timestamp + intervalMs - 1, s(c.volume * c.close), 10, '0', '0', '0'];
}

function marketId(symbol: string): string {
  return symbol.replace('/', '');
}

export async function startBinanceServer(options: BinanceServerOptions): Promise<BinanceServer> {
  const defaultFrom = options.from ?? options.now - 30 * 24 * 60 * 60_000;
  const specs = options.markets ?? { 'BTC/USDT': {}, 'ETH/USDT': {} };
  const markets = new Map(Object.entries(specs).map(([symbol, spec]) => [marketId(symbol), { symbol, spec }]));
  const requests: ServedRequest[] = [];
  const faults: Array<{ fault: Fault; times: number; path: string }> = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let now = options.now;

  const closedOrForming = (id: string, openTime: number, intervalMs: number, interval: string): Candle | null => {
    const market = markets.get(id);
    if (market === undefined) return null;
    const { spec, symbol } = market;
    if (openTime < (spec.from ?? defaultFrom) || openTime > now) return null;
    let c: Candle | null;
    if (spec.candles !== undefined) {
      if (interval !== (spec.interval ?? '1m')) return null;
      c = spec.candles.find((x) => x.timestamp === openTime) ?? null;
      return c; // fixed data is served as given, forming or not
    }
    c = spec.candle ? spec.candle(openTime, intervalMs) : syntheticCandle(symbol, openTime, intervalMs);
    if (c === null) return null;
    return openTime + intervalMs > now ? formingCandle(c, now, intervalMs) : c;
  };

  const klines = (query: Record<string, string>): { status: number; body: unknown } => {
    const id = query.symbol;
    if (id === undefined || !markets.has(id)) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
    const interval = query.interval ?? '';
    const intervalMs = (INTERVAL_MS as Record<string, number>)[interval];
    if (intervalMs === undefined) return { status: 400, body: { code: -1120, msg: 'Invalid interval.' } };
    const limit = query.limit === undefined ? 500 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return { status: 400, body: { code: -1130, msg: "Data sent for parameter 'limit' is not valid." } };
    }
    const spec = markets.get(id)!.spec;
    const first = spec.from ?? defaultFrom;
    const end = Math.min(query.endTime === undefined ? Infinity : Number(query.endTime), now);
    const align = (t: number) => Math.ceil(t / intervalMs) * intervalMs;
    const out: Candle[] = [];
    if (query.startTime !== undefined) {
      for (let t = align(Math.max(Number(query.startTime), first)); t <= end && out.length < limit; t += intervalMs) {
        const c = closedOrForming(id, t, intervalMs, interval);
        if (c !== null) out.push(c);
      }
    } else {
      for (let t = Math.floor(end / intervalMs) * intervalMs; t >= first && out.length < limit; t -= intervalMs) {
        const c = closedOrForming(id, t, intervalMs, interval);
        if (c !== null) out.push(c);
      }
      out.reverse();
    }
    return { status: 200, body: out.map((c) => klineRow(c, intervalMs)) };
  };

  const takeFault = (path: string): Fault | undefined => {
    const i = faults.findIndex((f) => f.path === path);
    if (i < 0) return undefined;
    const rule = faults[i]!;
    if (--rule.times <= 0) faults.splice(i, 1);
    return rule.fault;
  };

  const send = (res: ServerResponse, status: number, body: unknown, fault?: Fault) => {
    let text = JSON.stringify(body);
    if (fault?.kind === 'truncate-body') {
      const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      if (fault.mode === 'short') text = cut;
      else {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(cut);
        res.socket?.destroy();
        return;
      }
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const path = url.pathname;
    const fault = takeFault(path);
    requests.push({ path, query, ...(fault ? { fault: fault.kind } : {}) });
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status') {
      const body = fault.status === 429 ? { code: -1003, msg: 'Too much request weight used.' } : { code: -1000, msg: 'An unknown error occurred.' };
      if (fault.status === 429) res.setHeader('retry-after', '1');
      send(res, fault.status, body);
      return;
    }
    const answer = () => {
      if (path === '/api/v3/time') return send(res, 200, { serverTime: now });
      if (path === '/api/v3/ping') return send(res, 200, {});
      if (path !== '/api/v3/klines') return send(res, 404, { code: -1, msg: `not served by the test exchange: ${path}` });
      const { status, body } = klines(query);
      let rows = body as unknown[];
      if (status === 200 && fault !== undefined) {
        if (fault.kind === 'truncate-rows') rows = rows.slice(0, fault.keep);
        else if (fault.kind === 'duplicate') rows = rows.flatMap((r) => [r, r]);
        else if (fault.kind === 'out-of-order' && rows.length >= 2) rows = [rows[1], rows[0], ...rows.slice(2)];
      }
      send(res, status, status === 200 ? rows : body, fault);
    };
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, fault.ms);
      timers.add(timer);
    } else answer();
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const closedCandles = (symbol: string, from: number, to: number, interval: Interval = '1m'): Candle[] => {
    const step = INTERVAL_MS[interval];
    const out: Candle[] = [];
    for (let t = Math.ceil(from / step) * step; t < to && t + step <= now; t += step) {
      const c = closedOrForming(marketId(symbol), t, step, interval);
      if (c !== null) out.push(c);
    }
    return out;
  };

  return {
    url: origin,
    get now() {
      return now;
    },
    set now(t: number) {
      now = t;
    },
    advance(ms) {
      now += ms;
    },
    requests,
    klineRequests: () => requests.filter((r) => r.path === '/api/v3/klines'),
    strays: () => requests.filter((r) => !['/api/v3/klines', '/api/v3/time', '/api/v3/ping'].includes(r.path)),
    inject(fault, opts = {}) {
      faults.push({ fault, times: opts.times ?? 1, path: opts.path ?? '/api/v3/klines' });
    },
    pendingFaults: () => faults.reduce((n, f) => n + f.times, 0),
    candleAt(symbol, openTime, interval = '1m') {
      const step = INTERVAL_MS[interval];
      return openTime + step <= now ? closedOrForming(marketId(symbol), openTime, step, interval) : null;
    },
    closedCandles,
    exchange(config = {}) {
      const exchange = new ccxt.binance({ enableRateLimit: true, timeout: 2_000, ...config });
      // Every API URL, not only `public`: whatever ccxt decides to call, it can only ever reach this server.
      const api = exchange.urls['api'] as Record<string, string>;
      for (const key of Object.keys(api)) api[key] = api[key]!.replace(/^https?:\/\/[^/]+/, origin);
      exchange.setMarkets(
        [...markets.values()].map(({ symbol }) => {
          const [base, quote] = symbol.split('/') as [string, string];
          return {
            id: marketId(symbol),
            symbol,
            base,
            quote,
            baseId: base,
            quoteId: quote,
            type: 'spot',
            spot: true,
            margin: false,
            swap: false,
            future: false,
            option: false,
            contract: false,
            active: true,
            precision: { amount: 1e-8, price: 1e-8 },
            limits: { amount: {}, price: {}, cost: {} },
            info: {},
          };
        }) as never,
      );
      return exchange;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
