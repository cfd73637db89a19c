import type { NotifyLine } from '../../collectors/keepalived-notify.js';

/** Notify lines kept per director: more than one poll reads (20), enough for the flap window of a busy pair. */
export const NOTIFY_HISTORY = 100;

const key = (l: NotifyLine) => `${l.at} ${l.instance} ${l.state}`;

/**
 * The lines kept before and the lines this poll read (the log's last lines), as one history: a line read again is one
 * line (a line written twice stays twice: the larger count of either side is kept), oldest first, the newest kept.
 * A log rotated or truncated does not lose what was read before.
 */
export function mergeNotifyHistory(prev: readonly NotifyLine[] | undefined, read: readonly NotifyLine[]): NotifyLine[] {
  if (!prev || prev.length === 0) return read.slice(-NOTIFY_HISTORY);
  if (read.length === 0) return [...prev];
  const readCounts = new Map<string, number>();
  for (const l of read) readCounts.set(key(l), (readCounts.get(key(l)) ?? 0) + 1);
  const kept: NotifyLine[] = [];
  for (const l of prev) {
    const n = readCounts.get(key(l)) ?? 0;
    if (n > 0) readCounts.set(key(l), n - 1);
    else kept.push(l);
  }
  // Stable by time: lines of one second keep the order the log has them.
  const merged = [...kept, ...read].map((l, i) => ({ l, i })).sort((a, b) => a.l.at - b.l.at || a.i - b.i);
  return merged.map((x) => x.l).slice(-NOTIFY_HISTORY);
}
