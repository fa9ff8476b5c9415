/**
 * A fault-injecting HTTP proxy in front of the local exchange (test/support/binance-server.ts): every request is
 * forwarded as is; a queued fault then damages the answer on its way back, at the transport (a connection reset
 * after part of the body, a gzip body cut off) or in its content (an empty page, a `null` row, an off-grid
 * timestamp, a cut-off or skewed clock). The exchange behind it stays deterministic, so a node behind the proxy and
 * a reference node talking to the exchange directly must end with the same events wherever a fault is survivable.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy(server);
 * proxy.inject({ kind: 'reset-mid-body' }, { times: 2 });
 * const exchange = proxy.exchange({ timeout: 300 }); // ccxt's binance, talking to the proxy
 * ```
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { BinanceServer } from './binance-server.js';

export type ProxyFault =
  /** Headers and half the body, then a TCP reset: the error surfaces while ccxt reads the body. */
  | { readonly kind: 'reset-mid-body' }
  /** A gzip-encoded body cut half-way, then a reset: ccxt's inflater never ends (its timeout does not cover it). */
  | { readonly kind: 'gzip-cut' }
  /** The connection closed before any answer. */
  | { readonly kind: 'close-before-headers' }
  /** `200 []`, whatever the exchange holds. */
  | { readonly kind: 'empty-page' }
  /** Row `index` (default the middle one) replaced by `null`. */
  | { readonly kind: 'null-row'; readonly index?: number }
  /** Row `index` (default the middle one) moved off its interval's grid by `ms`. */
  | { readonly kind: 'off-grid'; readonly ms: number; readonly index?: number }
  /** `/api/v3/time` answered with a body cut half-way (clean end, invalid JSON). */
  | { readonly kind: 'clock-cut' }
  /** `/api/v3/time` answered `ms` away from the exchange's time. */
  | { readonly kind: 'clock-skew'; readonly ms: number }
  /** This HTTP status, with a Binance-style error body (`code`, `msg`). */
  | { readonly kind: 'status'; readonly status: number; readonly code?: number; readonly msg?: string };

export interface InjectedFault {
  readonly kind: ProxyFault['kind'];
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

interface Rule {
  readonly fault: ProxyFault;
  times: number;
  readonly path: string;
  /** Only requests for this exchange symbol id (`BTCUSDT`). */
  readonly symbol?: string;
}

export interface FaultProxy {
  readonly url: string;
  /** Damage the next `times` (default 1) answers to `path` (default the fault's: klines, or time for clock faults). */
  inject(fault: ProxyFault, options?: { readonly times?: number; readonly path?: string; readonly symbol?: string }): void;
  /** Faults still queued. */
  pendingFaults(): number;
  /** Every fault applied, in order. */
  readonly injected: readonly InjectedFault[];
  /** ccxt's real `binance` class pointed at this proxy (markets set as the exchange's). */
  exchange(config?: Record<string, unknown>): ReturnType<BinanceServer['exchange']>;
  close(): Promise<void>;
}

const CLOCK_FAULTS = new Set<ProxyFault['kind']>(['clock-cut', 'clock-skew']);

/** Forwards one request to `upstream` and buffers the whole answer (uncompressed: the proxy decides the encoding). */
function forward(upstream: URL, req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host };
    delete headers['accept-encoding'];
    const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    out.on('error', reject);
    req.pipe(out);
  });
}

function rewriteRows(body: Buffer, edit: (rows: unknown[]) => unknown[]): Buffer {
  const rows = JSON.parse(body.toString('utf8')) as unknown[];
  return Buffer.from(JSON.stringify(Array.isArray(rows) ? edit(rows) : rows));
}

const middle = (rows: readonly unknown[], index?: number) => index ?? Math.floor(rows.length / 2);

export async function startFaultProxy(server: BinanceServer): Promise<FaultProxy> {
  const upstream = new URL(server.url);
  const rules: Rule[] = [];
  const injected: InjectedFault[] = [];
  const sockets = new Set<Socket>();

  const take = (path: string, query: Record<string, string>): ProxyFault | undefined => {
    const i = rules.findIndex((r) => r.path === path && (r.symbol === undefined || r.symbol === query.symbol));
    if (i < 0) return undefined;
    const rule = rules[i]!;
    if (--rule.times <= 0) rules.splice(i, 1);
    return rule.fault;
  };

  /** Sends `body` and then resets the connection once half of it is on the wire. */
  const cutAndReset = (res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer) => {
    res.writeHead(status, { ...headers, 'content-length': body.length });
    res.flushHeaders();
    res.write(body.subarray(0, Math.max(1, body.length >> 1)), () => {
      // After the half body has been handed to the kernel: the client is reading the body when the reset lands.
      setImmediate(() => res.socket?.resetAndDestroy());
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const fault = take(url.pathname, query);
    if (fault) injected.push({ kind: fault.kind, path: url.pathname, query });
    if (fault?.kind === 'close-before-headers') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') {
      const body = { code: fault.code ?? (fault.status === 429 ? -1003 : -1000), msg: fault.msg ?? 'An unknown error occurred.' };
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(upstream, req);
    } catch {
      req.socket.destroy();
      return;
    }
    let { body } = answer;
    const ok = answer.status === 200;
    const json = { 'content-type': 'application/json' };
    switch (fault?.kind) {
      case 'reset-mid-body':
        return cutAndReset(res, answer.status, json, body);
      case 'gzip-cut':
        return cutAndReset(res, answer.status, { ...json, 'content-encoding': 'gzip' }, gzipSync(body));
      case 'empty-page':
        if (ok) body = Buffer.from('[]');
        break;
      case 'null-row':
        if (ok) body = rewriteRows(body, (rows) => rows.map((r, i) => (i === middle(rows, fault.index) ? null : r)));
        break;
      case 'off-grid':
        if (ok) {
          body = rewriteRows(body, (rows) =>
            rows.map((r, i) => (i === middle(rows, fault.index) && Array.isArray(r) ? [(r[0] as number) + fault.ms, ...r.slice(1)] : r)),
          );
        }
        break;
      case 'clock-cut':
        body = body.subarray(0, Math.max(1, body.length >> 1));
        break;
      case 'clock-skew': {
        const t = JSON.parse(body.toString('utf8')) as { serverTime: number };
        body = Buffer.from(JSON.stringify({ serverTime: t.serverTime + fault.ms }));
        break;
      }
      default:
        break;
    }
    res.writeHead(answer.status, { ...json, 'content-length': body.length });
    res.end(body);
  };

  const proxy = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  proxy.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    url: origin,
    inject(fault, options = {}) {
      const path = options.path ?? (CLOCK_FAULTS.has(fault.kind) ? '/api/v3/time' : '/api/v3/klines');
      rules.push({ fault, times: options.times ?? 1, path, ...(options.symbol ? { symbol: options.symbol } : {}) });
    },
    pendingFaults: () => rules.reduce((n, r) => n + r.times, 0),
    injected,
    exchange(config = {}) {
      const exchange = server.exchange(config);
      const api = exchange.urls['api'] as Record<string, string>;
      for (const key of Object.keys(api)) api[key] = api[key]!.replace(server.url, origin);
      return exchange;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
