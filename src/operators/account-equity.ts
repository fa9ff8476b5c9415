import { Observable, type OperatorFunction } from 'rxjs';
import { z } from 'zod';
import { EquityTracker, type AccountInput, type AccountOutput } from '../core/equity.js';
import { resolveMoneyConfig, type MoneyConfigInput } from '../core/money-config.js';
import { parseOptions } from '../core/options.js';

const percent = z.number().finite().nonnegative();

/** The options of {@link accountEquity}, checked when the operator is made. */
export const AccountEquityOptionsSchema = z.strictObject({
  /** `balance` and `stake` (SEMANTICS §12); defaults 10 000 and `{ equityPercent: 10 }`. */
  money: z.custom<MoneyConfigInput>((m) => typeof m === 'object' && m !== null, 'must be an object { balance?, stake? }').optional(),
  /** The run's costs, for marking open positions (SEMANTICS §7); defaults 0.1 each. */
  feePercent: percent.default(0.1),
  slippagePercent: percent.default(0.1),
  /** Emit only the last equity point of every bucket of this many ms; 0 (default) emits one per instant. */
  everyMs: z.number().int().nonnegative().default(0),
});
export type AccountEquityOptions = z.input<typeof AccountEquityOptionsSchema>;

/**
 * Runs the account (SEMANTICS §12) over a run's candles and events, interleaved in time order (at one instant the
 * candles before the events they caused, as the engine produces them): emits `opened` / `rejected` / `closed` stake
 * records as they happen, an `equity` point after every instant (or the last of each `everyMs` bucket), and the
 * portfolio statistics when the input completes. Memory stays flat: the curve is streamed, never collected.
 *
 * @example
 * ```ts
 * merge(candles$, events$) // already interleaved in time order
 *   .pipe(accountEquity({ money: { balance: 1000, stake: 100 }, everyMs: 3_600_000 }))
 *   .subscribe((o) => o.kind === 'stats' && console.log(o.stats.finalEquity));
 * ```
 */
export function accountEquity(options: AccountEquityOptions = {}): OperatorFunction<AccountInput, AccountOutput> {
  const parsed = parseOptions(AccountEquityOptionsSchema, options, 'accountEquity options');
  const money = resolveMoneyConfig(parsed.money, 'accountEquity money');
  const config = { feePercent: parsed.feePercent, slippagePercent: parsed.slippagePercent };
  return (source) =>
    new Observable<AccountOutput>((subscriber) => {
      const tracker = new EquityTracker({ money, config, everyMs: parsed.everyMs }, (o) => subscriber.next(o));
      return source.subscribe({
        next: (item) => {
          try {
            tracker.step(item);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          try {
            tracker.finish();
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.complete();
        },
      });
    });
}
