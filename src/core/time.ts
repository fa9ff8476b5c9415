/** ISO-8601 UTC text for a timestamp, used in every error and report so times read the same everywhere. */
export function isoTime(ms: number): string {
  // Beyond ±8.64e15 ms a Date is invalid and toISOString throws: such a time is named by its number.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
