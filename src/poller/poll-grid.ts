/**
 * How long after `now` the next tick of a timer on the clock's grid `phaseMs + k * intervalMs` (ms since the epoch)
 * comes, at least half an interval on (a timer that fired late must not tick twice at once); an interval when there
 * is no grid. Pollers and probers on one config share a grid, so they reach a host at the same moments.
 */
export function nextGridDelay(now: number, intervalMs: number, phaseMs: number | undefined): number {
  if (phaseMs === undefined) return intervalMs;
  const into = (((now - phaseMs) % intervalMs) + intervalMs) % intervalMs;
  const delay = intervalMs - into;
  return delay < intervalMs / 2 ? delay + intervalMs : delay;
}

/**
 * Calls `tick` on the clock's grid `phaseMs + k * intervalMs` (see nextGridDelay), or every interval from `start` when
 * there is no grid, until `stop`. A tick that runs long is the caller's to skip (a probe still under way).
 */
export class GridTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly phaseMs: number | undefined,
    private readonly tick: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.tick();
        this.schedule();
      },
      nextGridDelay(Date.now(), this.intervalMs, this.phaseMs),
    );
  }
}
