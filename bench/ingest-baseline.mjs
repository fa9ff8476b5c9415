// The parse-plus-VWAP baseline of bench/ingest.mjs: read a JSON file of [ts, o, h, l, c, v] rows with JSON.parse and
// compute the 5-candle VWAP at every candle. What any tool must do at least to backtest a file.
import { readFileSync } from 'node:fs';

const rows = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let acc = 0;
for (let i = 0; i < rows.length; i++) {
  let pv = 0;
  let v = 0;
  for (let k = i < 4 ? 0 : i - 4; k <= i; k++) {
    const r = rows[k];
    pv += ((r[2] + r[3] + r[4]) / 3) * r[5];
    v += r[5];
  }
  acc += v > 0 ? pv / v : rows[i][4];
}
if (!Number.isFinite(acc)) throw new Error('baseline: no price');
