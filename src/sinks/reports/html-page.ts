import { escapeHtml } from './html-escape.js';

// System fonts only and no external anything: the report opens offline and shows the same everywhere.
const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1f2937;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:15px;margin:0 0 10px;color:#374151}
header p{color:#6b7280;margin:0}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 18px;margin:14px 0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;border:0;padding:0}
.kpi{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px}
.kpi div:first-child{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi div:last-child{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:14px}
.grid section{margin:0}
.grid table{align-self:start}
.pos{color:#047857}
.neg{color:#b91c1c}
.muted{color:#6b7280}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid #eef0f3;text-align:left;white-space:nowrap}
th{color:#4b5563;font-weight:600}
.num{text-align:right}
.trades table{font-size:13px}
.trades th,.trades td{padding:3px 6px}
.wide{overflow-x:auto}
.nw{white-space:nowrap}
.heatmap td,.heatmap th{text-align:center;padding:4px 6px}
.heatmap td{min-width:58px}
.hm-empty{background:#f9fafb}
figure.price{margin:0 0 14px}
figcaption{margin:0 0 4px}
pre{background:#f9fafb;border:1px solid #eef0f3;border-radius:6px;padding:8px 10px;overflow-x:auto;font-size:12px;white-space:pre-wrap;word-break:break-word}
code{font-size:12px;word-break:break-all;white-space:normal}
@media (max-width:900px){
main{padding:12px}
section{padding:10px 10px}
.kpis{grid-template-columns:repeat(3,1fr);gap:8px}
.kpi div:last-child{font-size:18px}
.grid{grid-template-columns:1fr}
th,td{padding:3px 4px}
.trades table{font-size:11px}
.trades th,.trades td{padding:2px 2px;white-space:normal}
.heatmap{font-size:12px}
.heatmap td,.heatmap th{padding:3px 2px}
.heatmap td{min-width:0}
}
@media print{
body{background:#fff}
main{max-width:none;padding:0}
section{break-inside:avoid;border:0;padding:6px 0}
#trades,#inputs{break-inside:auto}
thead{display:table-header-group}
tr{break-inside:avoid}
.wide{overflow:visible}
}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
svg{display:block;width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
`;

/**
 * A complete, self-contained HTML document: inline CSS, no scripts, nothing fetched. `body` is trusted markup (built
 * by the report functions, which escape every user text); `title` is escaped here.
 *
 * @example
 * ```ts
 * htmlDocument('Backtest report', '<main>…</main>');
 * ```
 */
export function htmlDocument(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A table with a header row; cells are trusted markup, `num` columns are right-aligned. */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], num: readonly boolean[] = []): string {
  const cls = (i: number) => (num[i] === true ? ' class="num"' : '');
  const head = header.map((h, i) => `<th${cls(i)}>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A signed percentage coloured by its sign (green gain, red loss); the text is already formatted. */
export function signed(value: number | null, text: string): string {
  const cls = value === null || value === 0 ? '' : value > 0 ? ' class="pos"' : ' class="neg"';
  return cls === '' ? escapeHtml(text) : `<span${cls}>${escapeHtml(text)}</span>`;
}

/** `YYYY-MM-DD HH:MM` in UTC: the report's time format (candles close on minutes; the page says UTC once). */
export function utcMinute(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : String(ms);
}
