import { z } from 'zod';
import type { Config } from './config.js';
import { effectiveStop } from './effective-stop.js';
import type { CloseOutcome } from './lifecycle.js';
import { managedPosition, UNTOUCHED, type ManagedPosition } from './managed-position.js';
import { issueText } from './problems.js';
import type { Signal } from './signal.js';
import { partPnl } from './trade-close.js';
import { partFraction, type TradePart } from './trade-parts.js';

/** What `manage(ctx)` may ask for (SEMANTICS §13), one action. */
export const ManageActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('close') }),
  z.strictObject({
    action: z.literal('partial-close'),
    percent: z.number().gt(0, 'expected a percent of the remaining above 0').lt(100, "expected a percent of the remaining below 100 (use 'close' for all of it)"),
  }),
  z.strictObject({ action: z.literal('move-stop'), price: z.number().finite().positive() }),
  z.strictObject({ action: z.literal('move-take'), price: z.number().finite().positive() }),
]);
export type ManageAction = z.input<typeof ManageActionSchema>;

/** What `manage` returns: nothing, one action, or a list applied in order, all or none. */
export type ManageResult = ManageAction | readonly ManageAction[] | null | undefined;

/** One part closed by a `partial-close` action, as its `partial_closed` event tells it. */
export interface PartialClose {
  readonly percent: number;
  readonly fraction: number;
  readonly remaining: number;
  readonly price: number;
  readonly pnlPercentage: number;
}

export type ManageOutcome =
  | {
      readonly ok: true;
      /** The position after the actions (the same value when there were none). */
      readonly managed: ManagedPosition | null;
      readonly partials: readonly PartialClose[];
      /** Set by a `close` action. */
      readonly close: CloseOutcome | null;
    }
  | { readonly ok: false; readonly problems: readonly string[] };

const NONE: readonly PartialClose[] = [];

/**
 * Applies `manage`'s answer at `now` and the current `price` (SEMANTICS §13), all or none: every action is validated in
 * order against the position as the actions before it left it, and one problem rejects the whole answer. A stop only
 * tightens and stays on the loss side of the price; a take stays on the profit side; nothing may follow a close.
 */
export function applyManageActions(
  signal: Signal,
  managed: ManagedPosition | null,
  result: unknown,
  price: number,
  now: number,
  costs: Pick<Config, 'feePercent' | 'slippagePercent'>,
): ManageOutcome {
  if (result === null || result === undefined) return { ok: true, managed, partials: NONE, close: null };
  const list: readonly unknown[] = Array.isArray(result) ? result : [result];
  const problems: string[] = [];
  const long = signal.position === 'long';
  const start = managed ?? UNTOUCHED;
  let stop = start.stop;
  let take = start.take;
  let remaining = start.remaining;
  const parts: TradePart[] = [...start.parts];
  const partials: PartialClose[] = [];
  let close: CloseOutcome | null = null;
  list.forEach((raw, i) => {
    const at = Array.isArray(result) ? `actions[${i}]` : 'action';
    const parsed = ManageActionSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${at}: ${issueText(issue, (path) => path.join('.'))}`);
      return;
    }
    const action = parsed.data;
    if (close !== null) {
      problems.push(`${at}: '${action.action}' after 'close': nothing is left to manage`);
      return;
    }
    const current = managedPosition(start.peak, start.trailing, start.breakeven, stop, take, remaining, parts);
    switch (action.action) {
      case 'close':
        close = { reason: 'manual', price };
        return;
      case 'partial-close': {
        const fraction = partFraction(remaining, action.percent);
        remaining -= fraction;
        const pnlPercentage = partPnl(signal, price, costs);
        parts.push({ fraction, price, now, pnlPercentage });
        partials.push({ percent: action.percent, fraction, remaining, price, pnlPercentage });
        return;
      }
      case 'move-stop': {
        const effective = effectiveStop(signal, current);
        if (long ? !(action.price > effective) : !(action.price < effective)) {
          problems.push(`${at}: move-stop ${action.price} must be ${long ? 'above' : 'below'} the effective stop ${effective} (a stop only tightens)`);
        } else if (long ? !(action.price < price) : !(action.price > price)) {
          problems.push(`${at}: move-stop ${action.price} must stay ${long ? 'below' : 'above'} the current price ${price}`);
        } else {
          stop = action.price;
        }
        return;
      }
      case 'move-take':
        if (long ? !(action.price > price) : !(action.price < price)) {
          problems.push(`${at}: move-take ${action.price} must stay ${long ? 'above' : 'below'} the current price ${price}`);
        } else {
          take = action.price;
        }
        return;
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  if (list.length === 0) return { ok: true, managed, partials: NONE, close: null };
  const after = managedPosition(start.peak, start.trailing, start.breakeven, stop, take, remaining, parts);
  return { ok: true, managed: after, partials, close };
}
