import type { LaneState } from './lane.js';
import { defineRisk, RiskError, type ActivePosition, type RiskProfile, type RiskValidation } from './risk.js';
import type { Strategy } from './strategy.js';

/** A profile as the book runs it: validations normalised to `{ validate, note }`. */
export interface BookedProfile {
  readonly name: string;
  readonly maxConcurrentPositions: number | undefined;
  readonly validations: readonly RiskValidation[];
}

/** Anything holding a lane's state under its key: a live `Lane`, or a restored state whose lane has not run yet. */
export interface PositionHolder {
  readonly strategy: string;
  readonly symbol: string;
  readonly state: LaneState;
}

/** What the book needs of a strategy: its name and the profiles it names. */
export type RiskSubject = Pick<Strategy, 'name' | 'risk'>;

const key = (strategy: string, symbol: string): string => `${strategy}\u0000${symbol}`;

function byOpenTime(a: ActivePosition, b: ActivePosition): number {
  return (
    a.signal.pendingAt! - b.signal.pendingAt! ||
    (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
    (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0)
  );
}

/**
 * The portfolio-wide state the risk gate judges against (SEMANTICS §5): the profiles, which strategies each applies
 * to, and the lanes they watch. Open positions are not booked separately: they are read from the lanes' own states
 * at the instant of each check, so a slot is held exactly from open (or activation) to close — and lanes restored
 * from a checkpoint count as soon as they are restored. One book belongs to one run; share it between every lane
 * (any symbol, any strategy) whose positions the profiles must see.
 *
 * @example
 * ```ts
 * const book = createRiskBook([defineRisk({ name: 'portfolio', maxConcurrentPositions: 2 })]);
 * book.register(strategies); // the gate does this too; throws for a profile a strategy names but the book lacks
 * book.activePositions(book.profiles[0]); // [{ strategy, symbol, signal }, …], oldest first
 * ```
 */
export class RiskBook {
  readonly profiles: readonly BookedProfile[];
  private readonly byName = new Map<string, BookedProfile>();
  private readonly subjects = new Map<string, readonly BookedProfile[]>();
  private readonly holders = new Map<string, PositionHolder>();
  private readonly tracked = new Set<PositionHolder>();
  /** Keys still held by a restored state rather than the lane itself. */
  private readonly seeds = new Set<string>();

  constructor(profiles: readonly RiskProfile[]) {
    this.profiles = profiles.map((p, i) => {
      defineRisk(p, typeof p?.name === 'string' && p.name !== '' ? undefined : `risk profile [${i}]`);
      if (this.byName.has(p.name)) throw new RiskError(`two risk profiles are named '${p.name}': profile names must be unique`);
      const booked: BookedProfile = {
        name: p.name,
        maxConcurrentPositions: p.maxConcurrentPositions,
        validations: (p.validations ?? []).map((v) => (typeof v === 'function' ? { validate: v } : v)),
      };
      this.byName.set(p.name, booked);
      return booked;
    });
  }

  /**
   * Record which profiles each strategy is subject to: those it names (`strategy.risk`, a name or a list; all must
   * allow), or every profile of the book when it names none. Naming a profile the book does not have is an error.
   */
  register(strategies: RiskSubject | readonly RiskSubject[]): void {
    const list: readonly RiskSubject[] = Array.isArray(strategies) ? strategies : [strategies as RiskSubject];
    for (const s of list) {
      const named = s.risk === undefined ? [] : typeof s.risk === 'string' ? [s.risk] : [...new Set(s.risk)];
      const profiles = named.length === 0 ? this.profiles : named.map((name) => this.profile(s.name, name));
      const known = this.subjects.get(s.name);
      if (known !== undefined && (known.length !== profiles.length || known.some((p, i) => p !== profiles[i]))) {
        throw new RiskError(`two strategies are named '${s.name}' with different risk profiles`);
      }
      this.subjects.set(s.name, profiles);
    }
  }

  /** The profiles a registered strategy is subject to, in the order it named them. */
  profilesOf(strategy: string): readonly BookedProfile[] {
    const profiles = this.subjects.get(strategy);
    if (profiles === undefined) throw new RiskError(`strategy '${strategy}' is not registered with this risk book`);
    return profiles;
  }

  /** Watch a lane's positions from now on (it replaces the restored state it was seeded with). */
  track(lane: PositionHolder): void {
    // By identity first: while seeds remain this runs at every step, and must not build a key string each time.
    if (this.tracked.has(lane)) return;
    this.tracked.add(lane);
    const k = key(lane.strategy, lane.symbol);
    this.holders.set(k, lane);
    this.seeds.delete(k);
  }

  /** Whether restored states still stand in for lanes that have not run yet (the gate then tracks every step). */
  get seeding(): boolean {
    return this.seeds.size > 0;
  }

  /**
   * Count the open positions of restored lanes before those lanes run (e.g. every checkpoint of a store, at start):
   * until a lane's first step reaches the gate, its restored state stands in for it. Lanes already tracked are kept.
   *
   * @example
   * ```ts
   * book.seed(store.checkpoints().map(({ strategy, symbol, checkpoint }) => ({ strategy, symbol, state: checkpoint.state })));
   * ```
   */
  seed(restored: Iterable<PositionHolder>): void {
    for (const holder of restored) {
      const signal = holder.state.signal;
      if (signal === null || signal.pendingAt === null) continue;
      const k = key(holder.strategy, holder.symbol);
      if (this.holders.has(k) && !this.seeds.has(k)) continue;
      this.holders.set(k, { strategy: holder.strategy, symbol: holder.symbol, state: holder.state });
      this.seeds.add(k);
    }
  }

  /**
   * Wrap a lane `restore` function so each restored open position is counted from the moment its lane is restored
   * ({@link seed} covers lanes that are restored only when their first candle arrives).
   *
   * @example
   * ```ts
   * runLanes(strategies, config, { restore: book.restoring(restoreFrom(store)), gates: [riskGateStage(book, strategies, config)] })
   * ```
   */
  restoring<R extends { readonly state: LaneState } | undefined>(
    restore: (strategy: string, symbol: string) => R,
  ): (strategy: string, symbol: string) => R {
    return (strategy, symbol) => {
      const restored = restore(strategy, symbol);
      if (restored !== undefined) this.seed([{ strategy, symbol, state: restored.state }]);
      return restored;
    };
  }

  /**
   * The positions open at `now` under `profile`, oldest first (ties by symbol, then strategy). A restored position
   * that opened after `now` (a lane replaying candles it had processed) does not count yet.
   */
  activePositions(profile: BookedProfile, now = Infinity): ActivePosition[] {
    const out: ActivePosition[] = [];
    for (const holder of this.holders.values()) {
      const signal = holder.state.signal;
      if (signal === null || signal.pendingAt === null || signal.pendingAt > now) continue;
      if (!this.subjects.get(holder.strategy)?.includes(profile)) continue;
      out.push({ strategy: holder.strategy, symbol: holder.symbol, signal });
    }
    return out.sort(byOpenTime);
  }

  private profile(strategy: string, name: string): BookedProfile {
    const p = this.byName.get(name);
    if (p !== undefined) return p;
    const known = this.profiles.length === 0 ? 'none were given' : `known: ${this.profiles.map((x) => `'${x.name}'`).join(', ')}`;
    throw new RiskError(`strategy '${strategy}' names risk profile '${name}', which is not defined (${known})`);
  }
}

/**
 * The risk book for a run: validates the profiles (names must be unique) and is shared by every lane that uses them.
 *
 * @example
 * ```ts
 * const book = createRiskBook([defineRisk({ name: 'portfolio', maxConcurrentPositions: 2 })]);
 * bars$.pipe(runLanes(strategies, config, {
 *   gates: [riskGateStage(book, strategies, config)],
 *   activation: riskActivationCheck(book, strategies, config),
 * }));
 * ```
 */
export function createRiskBook(profiles: RiskProfile | readonly RiskProfile[]): RiskBook {
  return new RiskBook(Array.isArray(profiles) ? profiles : [profiles as RiskProfile]);
}
