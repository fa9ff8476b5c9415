import { z } from 'zod';

/**
 * Backpressure between a pipeline and its source. RxJS has none: a synchronous source pushes all of history at
 * once. Lanes hold the gate while an async strategy is thinking; tickflow's own sources check it between candles
 * and wait, so candles queue one at a time instead of a whole year at once.
 */
export class FlowGate {
  private holds = 0;
  private waiters: Array<() => void> = [];

  get blocked(): boolean {
    return this.holds > 0;
  }

  hold(): void {
    this.holds++;
  }

  release(): void {
    if (this.holds > 0) this.holds--;
    if (this.holds === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when no one holds the gate. */
  whenOpen(): Promise<void> {
    if (this.holds === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** What a source needs of a gate: whether to wait, and when to go on. */
export type GateView = Pick<FlowGate, 'blocked' | 'whenOpen'>;

/**
 * A gate recognised by its shape, never by class identity: the ESM and CommonJS bundles (and each CommonJS entry
 * point) carry their own copy of the class, and a user's gate may come from any of them.
 */
export function isFlowGate(x: unknown): x is FlowGate {
  if (typeof x !== 'object' || x === null) return false;
  const g = x as Record<string, unknown>;
  return typeof g.hold === 'function' && typeof g.release === 'function' && typeof g.whenOpen === 'function' && typeof g.blocked === 'boolean';
}

/** The option schema of a gate (a {@link FlowGate} from any bundle). */
export const FlowGateSchema = z.custom<FlowGate>(isFlowGate, 'expected a FlowGate (hold, release, whenOpen and blocked)');

/** A source waits while either gate is held (the run's and its own, e.g. a sink's); one or none stands as it is. */
export function eitherGate(a: GateView | undefined, b: GateView | undefined): GateView | undefined {
  if (a === undefined || a === b) return b;
  if (b === undefined) return a;
  return new EitherGate(a, b);
}

class EitherGate implements GateView {
  constructor(
    private readonly a: GateView,
    private readonly b: GateView,
  ) {}

  get blocked(): boolean {
    return this.a.blocked || this.b.blocked;
  }

  async whenOpen(): Promise<void> {
    // Released one after the other, the first may be held again meanwhile: wait until both are open at once.
    while (this.blocked) await (this.a.blocked ? this.a.whenOpen() : this.b.whenOpen());
  }
}
