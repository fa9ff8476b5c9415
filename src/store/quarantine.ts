import type { Database, Key } from 'lmdb';
import { QUARANTINE_VERSION, QuarantineRecordSchema, describeIssues } from './records.js';
import type { QuarantineReport } from './types.js';

/**
 * Moves unreadable records out of the way, into their own database, in the same transaction that removes them —
 * so a record is never lost and never read again as if it were good. Nothing here throws: a store that cannot even
 * quarantine reports that and leaves the record where it is.
 */
export class Quarantine {
  private seq = 0;

  constructor(
    private readonly db: Database<unknown, Key>,
    private readonly onReport: (report: QuarantineReport) => void,
  ) {}

  /**
   * Move `key` of `source` (named `name`) to the quarantine. `also` runs inside the same transaction (e.g. marking
   * a cached candle's slot as not fetched).
   */
  move(source: Database<unknown, Key>, name: string, key: Key, raw: unknown, reason: string, also?: () => void): void {
    const at = Date.now();
    const report: QuarantineReport = { db: name, key, raw, reason, at };
    try {
      // The sequence number keeps two quarantines of the same key in the same millisecond apart.
      const qKey: Key = [name, JSON.stringify(key), at, this.seq++];
      source.transactionSync(() => {
        this.db.putSync(qKey, { version: QUARANTINE_VERSION, db: name, key, raw, reason, at });
        source.removeSync(key);
        also?.();
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.report({ ...report, reason: `${reason} (could not be quarantined, left in place: ${why})` });
      return;
    }
    this.report(report);
  }

  /** Everything in quarantine, oldest key first. */
  list(): QuarantineReport[] {
    const out: QuarantineReport[] = [];
    for (const { key, value } of this.db.getRange({})) {
      const parsed = QuarantineRecordSchema.safeParse(value);
      if (parsed.success) {
        const { db, key: k, raw, reason, at } = parsed.data;
        out.push({ db, key: k, raw, reason, at });
      } else {
        out.push({ db: 'quarantine', key, raw: value, reason: `unreadable quarantine record: ${describeIssues(parsed.error)}`, at: 0 });
      }
    }
    return out;
  }

  private report(report: QuarantineReport): void {
    try {
      this.onReport(report);
    } catch {
      // A failing reporter must not take the store (or a live node) down with it.
    }
  }
}
