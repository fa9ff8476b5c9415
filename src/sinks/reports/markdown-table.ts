/** Cells are escaped so a `|` in a strategy name or note cannot break the table. */
function row(cells: readonly (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
}

/**
 * A GitHub-flavoured markdown table.
 *
 * @example
 * ```ts
 * markdownTable(['Level', 'Profit'], [['10%', 4]]); // '| Level | Profit |\n| --- | --- |\n| 10% | 4 |'
 * ```
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}
