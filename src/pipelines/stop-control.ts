import { from, type ObservableInput, type Subscription } from 'rxjs';
import type { LiveMonitor } from './live-monitor.js';
import type { StopMode } from './live-options.js';

/**
 * How a live node stops, given its `stop` input: `detach` finishes at once; `drain` finishes once no lane the node
 * runs holds a signal (watched through the monitor), and only after the node says it {@link started} — a drain asked
 * for during start-up waits until the restored lanes are known, unless the exchange is failing to answer then
 * ({@link startupFailing}): with nothing to monitor yet and no way to, the node stops, its store untouched.
 */
export class StopControl {
  private requested: StopMode | null = null;
  private running = false;
  private failing = false;
  private readonly subscription: Subscription | undefined;
  private readonly offChange: () => void;

  constructor(
    stop: ObservableInput<StopMode> | undefined,
    private readonly monitor: LiveMonitor,
    private readonly finish: () => void,
    /** The first request, before anything else happens for it (the node freezes its `StopCutoff`). */
    onRequest: () => void = () => {},
  ) {
    this.offChange = monitor.onChange(() => this.check());
    this.subscription = stop
      ? from(stop).subscribe((mode) => {
          if (this.requested === null) onRequest();
          if (mode === 'detach') {
            this.requested = 'detach';
            finish();
          } else if (this.requested === null) {
            this.requested = 'drain';
            monitor.move('drain');
            this.check();
          }
        })
      : undefined;
  }

  /** The mode asked for, or null while the node runs on: lanes ask no strategy once it is set. */
  get mode(): StopMode | null {
    return this.requested;
  }

  /** The node's lanes are restored and running: a drain may complete from now on. */
  started(): void {
    this.running = true;
    this.check();
  }

  /** The exchange failed a start-up request (it is being retried): a drain need not wait for it. */
  startupFailing(): void {
    this.failing = true;
    this.check();
  }

  dispose(): void {
    this.subscription?.unsubscribe();
    this.offChange();
  }

  private check(): void {
    if (this.requested !== 'drain') return;
    if (this.running ? this.monitor.busyLanes === 0 : this.failing) this.finish();
  }
}
