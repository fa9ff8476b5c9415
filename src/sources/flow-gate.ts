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
