import stringWidth from 'string-width';
import type { HostRuntime } from '../store/store-types.js';

export interface HostCounts {
  readonly answering: number;
  readonly slow: number;
  readonly down: number;
  readonly connecting: number;
  readonly total: number;
}

export function hostCounts(hosts: readonly HostRuntime[]): HostCounts {
  let slow = 0;
  let down = 0;
  let connecting = 0;
  for (const h of hosts) {
    if (h.status === 'slow') slow += 1;
    else if (h.status === 'down') down += 1;
    else if (h.status === 'connecting') connecting += 1;
  }
  return { answering: hosts.length - down - connecting, slow, down, connecting, total: hosts.length };
}

/** `7/8 up 1 slow`, and while hosts are still connecting `120/300 up 180 connecting`. */
export function hostCountText(c: HostCounts): string {
  const parts = [`${c.answering}/${c.total} up`];
  if (c.slow > 0) parts.push(`${c.slow} slow`);
  if (c.connecting > 0) parts.push(`${c.connecting} connecting`);
  return parts.join(' ');
}

export interface Tab {
  readonly name: string;
  readonly label: string;
  readonly current: boolean;
}

/**
 * The tabs that fit in `width` columns (measured as the terminal draws them): a window around the current tab, with
 * `‹N` and `N›` for the ones scrolled out. Any number of clusters fits on one line.
 */
export function fitTabs(
  names: readonly string[],
  current: string,
  width: number,
): { tabs: Tab[]; before: number; after: number } {
  const labels = names.map((n) => ` ${n} `);
  const widths = labels.map((l) => stringWidth(l) + 1);
  const at = Math.max(0, names.indexOf(current));
  let lo = 0;
  let hi = names.length - 1;
  if (widths.reduce((a, b) => a + b, 0) > width) {
    // Not all fit: keep room for both markers ("‹99 " and " 99›"), then grow around the current tab, right first.
    const room = width - 8;
    lo = at;
    hi = at;
    let used = widths[at]!;
    for (let grew = true; grew;) {
      grew = false;
      if (hi + 1 < names.length && used + widths[hi + 1]! <= room) {
        hi += 1;
        used += widths[hi]!;
        grew = true;
      }
      if (lo > 0 && used + widths[lo - 1]! <= room) {
        lo -= 1;
        used += widths[lo]!;
        grew = true;
      }
    }
  }
  const tabs = names.slice(lo, hi + 1).map((name, i) => ({ name, label: labels[lo + i]!, current: lo + i === at }));
  return { tabs, before: lo, after: names.length - 1 - hi };
}
