import type { Resume } from '../engine/stage.js';

/** A check that has not answered yet: `then` resumes once, after which `reason` is final (null: allowed). */
export interface PendingVerdict extends Resume {
  readonly reason: string | null;
}

/**
 * The answer of a check that may take time (the risk gate): null allows, a string rejects with that reason, a
 * {@link PendingVerdict} answers later. Synchronous checks allocate nothing to say so.
 */
export type Verdict = string | null | PendingVerdict;

/**
 * Act on a verdict in a lane stage: `onReject` (with the reason) or `onAllow` runs now, or — for a pending verdict —
 * when it answers, before the returned {@link Resume} lets the step go on. Return the result from the stage.
 *
 * @example
 * ```ts
 * const stage: LaneStage = (step) => settleVerdict(check(step), (reason) => reject(step, reason));
 * ```
 */
export function settleVerdict(
  verdict: Verdict,
  onReject: (reason: string) => void,
  onAllow?: () => void,
): Resume | undefined {
  if (verdict === null) {
    onAllow?.();
    return undefined;
  }
  if (typeof verdict === 'string') {
    onReject(verdict);
    return undefined;
  }
  return {
    cancel: () => verdict.cancel?.(),
    then(resume) {
      verdict.then(() => {
        try {
          if (verdict.reason !== null) onReject(verdict.reason);
          else onAllow?.();
        } finally {
          resume();
        }
      });
    },
  };
}
