import stringWidth from 'string-width';
import type { HostRuntime, JumpHostStats } from '../store/store-types.js';
import { formatAge, formatBytesRate } from './format.js';

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

/** The oldest read time of any host that was read: what the header's data age counts from. */
export function oldestReadAt(hosts: readonly HostRuntime[]): number | undefined {
  return hosts.reduce<number | undefined>(
    (acc, x) => (x.readAt === undefined ? acc : acc === undefined ? x.readAt : Math.min(acc, x.readAt)),
    undefined,
  );
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

/** The right side of the header, in the order drawn, and the room it leaves the cluster tabs. */
export interface HeaderStatus {
  readonly paused: boolean;
  readonly readOnly: boolean;
  readonly hosts: string;
  readonly down: boolean;
  readonly slow: boolean;
  /** `data 3s`: the age of the oldest reading. */
  readonly dataAge: string;
  /** The jump host's own load, only when it fits. */
  readonly jump?: { readonly text: string; readonly busy: boolean };
  readonly badge?: string;
  /** The time of day, `HH:MM:SS` UTC. */
  readonly clock: string;
  readonly tabRoom: number;
}

export interface HeaderInput {
  readonly counts: HostCounts;
  readonly oldest: number | undefined;
  readonly paused: boolean;
  readonly readOnly: boolean;
  readonly jump: JumpHostStats | undefined;
  readonly badge: string | undefined;
  readonly now: number;
  readonly width: number;
}

/** `here cpu 12% mem 40% net 1.2K/300B`: the load of the host lvstop runs on. */
export function jumpHostText(j: JumpHostStats): string {
  const net =
    j.rxBytesPerSec === undefined ? '' : ` net ${formatBytesRate(j.rxBytesPerSec)}/${formatBytesRate(j.txBytesPerSec)}`;
  return `here cpu ${Math.round(j.cpuPercent)}% mem ${Math.round(j.memUsedPercent)}%${net}`;
}

/** The header's status side for a console `width` columns wide: the host counts and data age always fit. */
export function headerStatus(h: HeaderInput): HeaderStatus {
  const clock = new Date(h.now).toISOString().slice(11, 19);
  const hosts = hostCountText(h.counts);
  const dataAge = `data ${formatAge(h.oldest === undefined ? undefined : h.now - h.oldest)}`;
  const shown = [h.paused ? ' PAUSED ' : '', h.readOnly ? 'read-only' : '', hosts, dataAge, h.badge ?? '', clock];
  const statusWidth = shown.filter(Boolean).reduce((a, t) => a + t.length + 1, 0);
  // The jump host's own load only where it fits.
  const jump = h.jump && jumpHostText(h.jump);
  const showJump = jump !== undefined && h.width - statusWidth - jump.length - 1 >= 30;
  // "lvstop" and the gaps around the two boxes take 9 columns.
  const tabRoom = Math.max(12, h.width - statusWidth - (showJump ? jump.length + 1 : 0) - 9);
  return {
    paused: h.paused,
    readOnly: h.readOnly,
    hosts,
    down: h.counts.down > 0,
    slow: h.counts.slow > 0,
    dataAge,
    ...(showJump ? { jump: { text: jump, busy: h.jump!.cpuPercent > 90 } } : {}),
    ...(h.badge ? { badge: h.badge } : {}),
    clock,
    tabRoom,
  };
}
