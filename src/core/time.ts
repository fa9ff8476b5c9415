/** ISO-8601 UTC text for a timestamp, used in every error and report so times read the same everywhere. */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
