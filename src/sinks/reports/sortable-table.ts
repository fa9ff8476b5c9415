import { escapeHtml } from './html-escape.js';

/** A cell: its markup (trusted) and the value it sorts by (a number sorts numerically; null sorts last). */
export interface SortableCell {
  readonly html: string;
  readonly sort: number | string | null;
}

export interface SortableColumn {
  readonly label: string;
  /** Right-aligned (numbers). */
  readonly num?: boolean;
}

/**
 * A table whose rows sort by a column when its header is clicked (again: the other way), with {@link SORT_SCRIPT} on
 * the page. Each cell carries its sort key in `data-sort`, so formatted text (`12.5 %`, `—`) never decides the order;
 * empty keys (null) stay last in both directions, and equal keys keep the rows' original order.
 *
 * @example
 * ```ts
 * sortableTable([{ label: 'Trial', num: true }, { label: 'Sharpe', num: true }], [[{ html: '1', sort: 1 }, { html: '0.12', sort: 0.12 }]], 'trials');
 * ```
 */
export function sortableTable(columns: readonly SortableColumn[], rows: readonly (readonly SortableCell[])[], id: string): string {
  const cls = (c: SortableColumn) => (c.num === true ? ' class="num"' : '');
  const head = columns
    .map((c, i) => `<th${cls(c)} data-col="${i}" aria-sort="none" role="button" tabindex="0" style="cursor:pointer" title="Sort by ${escapeHtml(c.label)}">${escapeHtml(c.label)}</th>`)
    .join('');
  const key = (v: number | string | null) => (v === null ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : escapeHtml(v));
  const kind = (v: number | string | null) => (typeof v === 'string' ? ' data-text="true"' : '');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(columns[i]!)} data-sort="${key(c.sort)}"${kind(c.sort)}>${c.html}</td>`).join('')}</tr>`).join('\n');
  return `<table class="sortable" id="${escapeHtml(id)}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/**
 * The page's only script: click (or Enter on) a header of a `table.sortable` to sort its rows by that column,
 * descending first for numbers, ascending first for text; again to turn the order round. Runs offline, touches
 * nothing outside the tables.
 */
export const SORT_SCRIPT = `<script>
(() => {
  const value = (td) => {
    const s = td.dataset.sort;
    if (s === undefined || s === '') return null;
    return td.dataset.text === 'true' ? s : Number(s);
  };
  const sortBy = (table, th) => {
    const col = Number(th.dataset.col);
    const body = table.tBodies[0];
    const rows = [...body.rows].map((row, i) => ({ row, i, v: value(row.cells[col]) }));
    const text = rows.some((r) => typeof r.v === 'string');
    const current = th.getAttribute('aria-sort');
    const dir = current === 'none' ? (text ? 1 : -1) : current === 'ascending' ? -1 : 1;
    rows.sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'string' ? String(a.v).localeCompare(String(b.v)) : a.v - b.v;
      return c === 0 ? a.i - b.i : dir * c;
    });
    for (const h of table.tHead.rows[0].cells) h.setAttribute('aria-sort', 'none');
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    for (const r of rows) body.appendChild(r.row);
  };
  for (const table of document.querySelectorAll('table.sortable')) {
    for (const th of table.tHead.rows[0].cells) {
      th.addEventListener('click', () => sortBy(table, th));
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter') sortBy(table, th); });
    }
  }
})();
</script>`;
