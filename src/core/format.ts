/**
 * Prices here range from dollar-sized to 0.00005 (ADA/BTC): format by significant digits, never by a fixed number of
 * decimals, and without exponent notation.
 */
export function formatPrice(price: number, significant = 8): string {
  if (!Number.isFinite(price)) return String(price);
  if (price === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(price)));
  const decimals = Math.max(0, Math.min(20, significant - 1 - magnitude));
  return price.toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function formatQuantity(quantity: number, significant = 8): string {
  return formatPrice(quantity, significant);
}

/** A percentage for reports: fixed decimals, `—` for a statistic that does not exist (null). */
export function formatPercent(value: number | null, decimals = 4): string {
  return value === null ? '—' : `${value.toFixed(decimals)}%`;
}

export function formatNumber(value: number | null, decimals = 4): string {
  return value === null ? '—' : value.toFixed(decimals);
}
