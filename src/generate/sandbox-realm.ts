/**
 * The code of the generated strategy's own realm (a `vm` context without code generation from strings), run before
 * the strategy: it keeps each symbol's base candles, serves `ctx.candles` with the engine's aggregation rules
 * (core/history.ts: clock-aligned buckets, closed buckets only, an oldest bucket cut by the capacity is no candle)
 * and answers asks as JSON strings. Only strings cross into and out of this realm, so the strategy never holds an
 * object of the worker's own realm (whose constructors could make code from strings).
 *
 * Builtins are captured first: the strategy runs after this and must not be able to change what the realm uses.
 */
export const SANDBOX_REALM_SOURCE = `(function () {
'use strict';
const parse = JSON.parse, stringify = JSON.stringify, freeze = Object.freeze, floor = Math.floor, log10 = Math.log10;
const abs = Math.abs, max = Math.max, min = Math.min, isInteger = Number.isInteger, isFinite_ = Number.isFinite;
const MINUTE = 60000;
const INTERVALS = { '1m': 1, '3m': 3, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '2h': 120, '4h': 240, '6h': 360, '8h': 480, '12h': 720, '1d': 1440, '3d': 4320, '1w': 10080 };
let strategy = null;
let baseMs = MINUTE;
let capacity = 10080;
const books = new Map();

function formatPrice(price) {
  if (!isFinite_(price)) return String(price);
  if (price === 0) return '0';
  const magnitude = floor(log10(abs(price)));
  const decimals = max(0, min(20, 8 - 1 - magnitude));
  return price.toFixed(decimals).replace(/(\\.\\d*?)0+$/, '$1').replace(/\\.$/, '');
}

function readCandles(book, interval, limit, now) {
  const minutes = INTERVALS[interval];
  if (minutes === undefined) throw new Error('candles(' + String(interval) + '): unknown interval');
  if (!isInteger(limit) || limit <= 0) throw new Error('candles(' + interval + ', ' + String(limit) + '): limit must be a positive integer');
  const bucketMs = minutes * MINUTE;
  if (bucketMs < baseMs || bucketMs % baseMs !== 0) throw new Error('candles(' + interval + '): the source\\'s base interval is ' + (baseMs / MINUTE) + 'm; only multiples of it can be served');
  const list = book.list;
  let last = list.length - 1;
  while (last >= 0 && list[last].timestamp + baseMs > now) last--;
  const first = max(book.start, last - capacity + 1);
  const out = [];
  if (bucketMs === baseMs) {
    for (let i = max(first, last - limit + 1); i <= last; i++) out.push(list[i]);
    return out;
  }
  let agg = null;
  for (let i = last; i >= first; i--) {
    const c = list[i];
    const start = c.timestamp - (c.timestamp % bucketMs);
    if (start + bucketMs > now) continue;
    if (agg === null || agg.timestamp !== start) {
      if (agg !== null) {
        out.push(agg);
        if (out.length === limit) return out.reverse();
      }
      agg = { timestamp: start, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
    } else {
      agg.open = c.open;
      if (c.high > agg.high) agg.high = c.high;
      if (c.low < agg.low) agg.low = c.low;
      agg.volume += c.volume;
    }
  }
  if (agg !== null && !(last - first + 1 === capacity && agg.timestamp < list[first].timestamp)) out.push(agg);
  return out.reverse();
}

function feed(symbol, reset, flat) {
  let book = books.get(symbol);
  if (book === undefined || reset) {
    book = { list: [], start: 0 };
    books.set(symbol, book);
  }
  const list = book.list;
  for (let i = 0; i + 5 < flat.length; i += 6) {
    const t = flat[i];
    if (list.length > 0 && list[list.length - 1].timestamp >= t) continue;
    list.push(freeze({ timestamp: t, open: flat[i + 1], high: flat[i + 2], low: flat[i + 3], close: flat[i + 4], volume: flat[i + 5] }));
  }
  if (list.length - book.start > 2 * capacity) {
    list.splice(0, list.length - capacity);
    book.start = 0;
  }
  return book;
}

function answer(result) {
  if (result === undefined) result = null;
  return stringify({ signal: result });
}

return freeze({
  configure(json) {
    const o = parse(json);
    baseMs = o.baseMs;
    capacity = o.capacity;
  },
  adopt(exported) {
    if (exported === null || (typeof exported !== 'object' && typeof exported !== 'function')) {
      return stringify({ problem: 'the default export is not an object (got ' + (exported === null ? 'null' : typeof exported) + ')' });
    }
    strategy = exported;
    return stringify({
      name: exported.name,
      interval: exported.interval,
      getSignal: typeof exported.getSignal,
      constraint: typeof exported.constraint,
      risk: exported.risk,
      params: exported.params,
    });
  },
  ask(json) {
    const m = parse(json);
    const book = feed(m.symbol, m.reset, m.candles);
    const now = m.now;
    const ctx = freeze({
      symbol: m.symbol,
      now: now,
      get date() { return new Date(now); },
      price: m.price,
      candles: function (interval, limit) { return readCandles(book, interval, limit, now); },
      formatPrice: formatPrice,
      formatQuantity: formatPrice,
      mode: 'backtest',
      params: freeze(m.params),
    });
    const result = strategy.getSignal(ctx);
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') return result.then(answer);
    return answer(result);
  },
});
})()`;

/**
 * The worker's script (run with `eval: true`, so it needs no file of its own in the bundle): builds the realm, loads
 * the strategy script into it, describes the export, then answers asks one at a time. Whatever the strategy throws
 * is sent back as a message; the worker itself only ends by the host's `terminate` or a resource limit.
 */
export const SANDBOX_WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
function describe(err) {
  try {
    if (err !== null && typeof err === 'object' && typeof err.message === 'string') return (err.name ? err.name + ': ' : '') + err.message;
    return 'non-Error value thrown: ' + String(err);
  } catch (_) {
    return 'a value that cannot be printed was thrown';
  }
}
let realm;
try {
  const context = vm.createContext({}, { name: 'generated-strategy', codeGeneration: { strings: false, wasm: false } });
  realm = vm.runInContext(workerData.realm, context, { filename: 'tickflow-sandbox-realm.js' });
  realm.configure(JSON.stringify({ baseMs: workerData.baseMs, capacity: workerData.capacity }));
  const exported = vm.runInContext(workerData.script, context, { filename: workerData.filename, timeout: workerData.loadBudgetMs });
  parentPort.postMessage({ type: 'ready', description: realm.adopt(exported) });
} catch (err) {
  parentPort.postMessage({ type: 'load-error', message: describe(err) });
}
parentPort.on('message', (m) => {
  let out;
  try {
    out = realm.ask(m.json);
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: describe(err) });
    return;
  }
  if (typeof out === 'string') {
    parentPort.postMessage({ id: m.id, ok: true, json: out });
    return;
  }
  Promise.resolve(out).then(
    (json) => parentPort.postMessage({ id: m.id, ok: true, json: String(json) }),
    (err) => parentPort.postMessage({ id: m.id, ok: false, message: describe(err) }),
  );
});
`;
