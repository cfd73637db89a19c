/**
 * Refresh requests from every console of one serve, let through at most once per poll interval: a client that asks
 * every 20 ms (or fifty clients asking at once) costs the directors one extra poll per interval, not one per ask.
 */
export class RefreshGate {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly refresh: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Poll now unless a refresh was let through less than one interval ago; true when it was let through. */
  request(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    this.refresh();
    return true;
  }
}
