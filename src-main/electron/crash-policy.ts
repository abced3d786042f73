/**
 * What to do when the renderer process dies: reload, a bounded number of
 * times in a sliding window (default 3 per 10 minutes), then give up and show
 * an error page rather than crash-loop. A clean exit is not a crash.
 */
export type CrashAction = 'ignore' | 'reload' | 'give-up';

export interface CrashPolicyOptions {
  maxReloads?: number;
  windowMs?: number;
  now?: () => number;
}

export class CrashPolicy {
  private readonly times: number[] = [];
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: CrashPolicyOptions = {}) {
    this.max = opts.maxReloads ?? 3;
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** `reason` is Electron's RenderProcessGoneDetails.reason */
  onGone(reason: string): CrashAction {
    if (reason === 'clean-exit') return 'ignore';
    const t = this.now();
    while (this.times.length > 0 && t - this.times[0] > this.windowMs) this.times.shift();
    if (this.times.length >= this.max) return 'give-up';
    this.times.push(t);
    return 'reload';
  }

  /** reloads used in the current window */
  get recent(): number {
    const t = this.now();
    return this.times.filter((x) => t - x <= this.windowMs).length;
  }
}
