import type { LaneStep } from '../core/lane.js';

/**
 * Whether a step must be checkpointed before its events go on: it made a transition, or the risk gate rejected a
 * proposal. A rejection changes nothing a lane keeps but its throttle position; written, a restart resumes after
 * it and only re-delivers the `risk` event (same `eventId`) instead of judging the candle again and emitting it
 * anew behind the re-delivery.
 */
export function checkpointDue(step: LaneStep): boolean {
  if (step.transitioned) return true;
  const events = step.events;
  for (let i = 0; i < events.length; i++) if (events[i]!.action === 'risk') return true;
  return false;
}
