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
