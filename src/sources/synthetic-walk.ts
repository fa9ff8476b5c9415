import { halfNormal16, Sfc32 } from './prng.js';

/**
 * Volatility regimes of the walk, a Markov chain. `vol` is the standard deviation of a 1-minute log return,
 * `minutes` the mean time spent in the regime, `trend` the standard deviation of the per-minute drift drawn on
 * entering it (a slight trend per episode), `volume` a multiplier of the base volume, `next` where it goes when
 * it leaves (probabilities over calm, normal, volatile).
 */
export const REGIMES = [
  { name: 'calm', vol: 0.0004, minutes: 6 * 60, trend: 0.000003, volume: 0.5, next: [0, 0.8, 0.2] },
  { name: 'normal', vol: 0.001, minutes: 10 * 60, trend: 0.00001, volume: 1, next: [0.55, 0, 0.45] },
  { name: 'volatile', vol: 0.003, minutes: 90, trend: 0.00004, volume: 2.5, next: [0.2, 0.8, 0] },
] as const;

/**
 * Pull of the log price back to its start, per minute (half-life 90 days): keeps a series of any length within a
 * few multiples of its start price, so prices stay positive and finite over years.
 */
const REVERSION = Math.LN2 / (90 * 1440);
/** Wick beyond the candle body: half-normal, this many times the candle's return volatility (mean ≈ 0.35×). */
const WICK = 0.45;
/** Base volume per minute, in quote currency (divided by the start price to get base units). */
const QUOTE_VOLUME_PER_MINUTE = 100_000;

export interface WalkParams {
  readonly seed: number;
  readonly symbol: string;
  readonly intervalMinutes: number;
  readonly startPrice: number;
}

/**
 * One symbol's price process, stepped one candle at a time: geometric returns with regime-dependent volatility and
 * drift, mean-reverting log price, wicks beyond the body, volume rising with the size of the move and the regime.
 * Fields hold the last candle; nothing is allocated per step, and a 1-minute step costs three 32-bit draws, one
 * exp and one square root.
 *
 * @example
 * ```ts
 * const walk = new SyntheticWalk({ seed: 1, symbol: 'SYN0/USD', intervalMinutes: 1, startPrice: 100 });
 * walk.step();
 * walk.open; walk.high; walk.low; walk.close; walk.volume; REGIMES[walk.regime].name;
 * ```
 */
export class SyntheticWalk {
  // Every numeric field starts as a number: a field declared without one would be stored boxed, one allocation
  // per write, several times per candle.
  /** The regime at the close of the last candle (an index into {@link REGIMES}). */
  regime = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;

  private x = 0;
  private readonly x0: number = 0;
  /** Drift per minute of the current regime episode. */
  private drift = 0;
  /** Minutes left in the current regime episode. */
  private remaining = 0;
  private readonly minutes: number = 1;
  private readonly volumePerMinute: number = 0;
  private readonly rng: Sfc32;
  /** Per regime, for a whole candle in it: return volatility and activity (volume multiplier × minutes). */
  private readonly stepVol: number[];
  private readonly stepActivity: number[];

  constructor(params: WalkParams) {
    this.rng = Sfc32.from(String(params.seed), params.symbol, 'walk');
    this.minutes = params.intervalMinutes;
    this.x0 = Math.log(params.startPrice);
    this.x = this.x0;
    this.close = params.startPrice;
    this.volumePerMinute = QUOTE_VOLUME_PER_MINUTE / params.startPrice;
    this.stepVol = REGIMES.map((r) => r.vol * Math.sqrt(this.minutes));
    this.stepActivity = REGIMES.map((r) => r.volume * this.minutes);
    const u = this.rng.uniform();
    this.enter(u < 0.35 ? 0 : u < 0.85 ? 1 : 2);
  }

  private enter(regime: number): void {
    const r = REGIMES[regime]!;
    this.regime = regime;
    this.drift = r.trend * this.rng.normal();
    // The Markov chain's holding time: exponential, in minutes, drawn once per episode rather than a coin per step.
    this.remaining = -Math.log(1 - this.rng.uniform()) * r.minutes;
  }

  /** Advance one candle: the new candle opens at the previous close. */
  step(): void {
    const rng = this.rng;
    // The candle's variance, drift and activity add up over the regime episodes it spans, so a daily candle
    // holds its share of volatile hours rather than being all volatile or all calm.
    let vol: number;
    let drift: number;
    let activity: number;
    if (this.remaining > this.minutes) {
      // The common case: the whole candle inside one episode (figures per regime computed once).
      this.remaining -= this.minutes;
      vol = this.stepVol[this.regime]!;
      drift = this.drift * this.minutes;
      activity = this.stepActivity[this.regime]!;
    } else {
      let left = this.minutes;
      let variance = 0;
      drift = 0;
      activity = 0;
      for (;;) {
        if (this.remaining <= 0) {
          const next = REGIMES[this.regime]!.next;
          const u = rng.uniform();
          this.enter(u < next[0] ? 0 : u < next[0] + next[1] ? 1 : 2);
        }
        const r = REGIMES[this.regime]!;
        const t = this.remaining < left ? this.remaining : left;
        variance += r.vol * r.vol * t;
        drift += this.drift * t;
        activity += r.volume * t;
        this.remaining -= t;
        left -= t;
        if (left <= 0) break;
      }
      vol = Math.sqrt(variance);
    }
    const z = rng.normal();
    const open = this.close;
    this.x += drift - REVERSION * this.minutes * (this.x - this.x0) + vol * z;
    const close = Math.exp(this.x);
    const top = open > close ? open : close;
    const bottom = open < close ? open : close;
    // Half-normal wicks, both from one draw; dividing for the low keeps it positive however large the wick.
    const wicks = rng.int32();
    this.high = top * (1 + vol * WICK * halfNormal16(wicks >>> 16));
    this.low = bottom / (1 + vol * WICK * halfNormal16(wicks & 0xffff));
    this.volume = this.volumePerMinute * activity * (0.3 + 0.7 * Math.abs(z)) * rng.lognormal04();
    this.open = open;
    this.close = close;
  }
}
