/**
 * The code of the generated strategy's own realm (a `vm` context without code generation from strings), run before
 * the strategy: it keeps each symbol's base candles, serves `ctx.candles` with the engine's aggregation rules
 * (core/history.ts: clock-aligned buckets, closed buckets only, an oldest bucket cut by the capacity is no candle)
 * and answers asks as JSON strings. Only strings cross into and out of this realm, so the strategy never holds an
 * object of the sandbox process's own realm (whose constructors could make code from strings).
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
 * The sandbox process's script (run with `node -e`, so it needs no file of its own in the bundle): builds the realm,
 * loads the strategy script into it, describes the export, then answers batches of asks in order. Whatever the
 * strategy throws is sent back as an answer; the process itself only ends when the host kills it, the host goes
 * away, or the heap limit ends it.
 */
export const SANDBOX_PROCESS_SOURCE = `'use strict';
const vm = require('node:vm');
function describe(err) {
  try {
    if (err !== null && typeof err === 'object' && typeof err.message === 'string') return (err.name ? err.name + ': ' : '') + err.message;
    return 'non-Error value thrown: ' + String(err);
  } catch (_) {
    return 'a value that cannot be printed was thrown';
  }
}
let realm = null;
function load(m) {
  try {
    const context = vm.createContext({}, { name: 'generated-strategy', codeGeneration: { strings: false, wasm: false } });
    realm = vm.runInContext(m.realm, context, { filename: 'tickflow-sandbox-realm.js' });
    realm.configure(JSON.stringify({ baseMs: m.baseMs, capacity: m.capacity }));
    const exported = vm.runInContext(m.script, context, { filename: m.filename, timeout: m.loadBudgetMs });
    process.send({ type: 'ready', description: realm.adopt(exported) });
  } catch (err) {
    process.send({ type: 'load-error', message: describe(err) });
  }
}
async function answer(batch) {
  const answers = [];
  for (const a of batch) {
    try {
      let out = realm.ask(a.json);
      if (typeof out !== 'string') out = String(await out);
      answers.push({ id: a.id, ok: true, json: out });
    } catch (err) {
      answers.push({ id: a.id, ok: false, message: describe(err) });
    }
  }
  process.send({ type: 'answers', answers });
}
process.on('message', (m) => {
  if (m.type === 'init') load(m);
  else if (m.type === 'ask') void answer(m.batch);
});
process.on('disconnect', () => process.exit(0));
`;
