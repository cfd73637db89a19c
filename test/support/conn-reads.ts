import { ConnTableReader, countIpvsConns, type ConnTableCounts } from '../../collectors/ipvs-conns.js';
import { afterTableRead } from '../../src/model/conn-watch.js';
import type { ConnTableRead } from '../../src/store/drain-slice.js';
import type { LvsStore } from '../../src/store/lvs-store.js';
import { fixture } from './fixture-store.js';

/** Where a read stops early: after `lines` lines, at its deadline or at the line cap. */
export interface ReadCut {
  readonly lines: number;
  readonly by: 'deadline' | 'lines';
}

/** Count a captured table as the watcher's reader does, cut where asked (the deadline passing between two chunks). */
function count(text: string, cut?: ReadCut): ConnTableCounts {
  if (!cut) return countIpvsConns(text);
  if (cut.by === 'lines') return countIpvsConns(text, { maxLines: cut.lines });
  let now = 0;
  const reader = new ConnTableReader({ deadline: 1, now: () => now });
  const lines = text.split('\n');
  reader.feed(`${lines.slice(0, cut.lines).join('\n')}\n`);
  now = 2;
  reader.feed(lines.slice(cut.lines).join('\n'));
  return reader.end();
}

/**
 * What a director's watcher writes after reading, with a Connections view open, the captured connection table
 * `lnc` (a test/fixtures path) at `at`, `ms` long: the drains of its weight-0 servers and every server's counts.
 */
export function watchedRead(
  store: LvsStore,
  host: string,
  lnc: string,
  at: number,
  options: { readonly ms?: number; readonly cut?: ReadCut } = {},
): void {
  const reading = store.getState().ipvs[host]?.reading;
  if (reading?.status !== 'ok') throw new Error(`${host} has no IPVS table`);
  const counts = count(fixture(lnc), options.cut);
  const read: ConnTableRead = {
    at,
    ms: options.ms ?? 40,
    ok: true,
    entries: counts.entries,
    garbage: counts.garbage,
    ...(counts.truncatedBy ? { truncatedBy: counts.truncatedBy } : {}),
  };
  store
    .getState()
    .setDrains(host, afterTableRead(host, store.getState().drains[host], reading.table, true, read, counts));
}

/** A read that failed after the last good one: the drains and counts stay, the read says why. */
export function failedRead(store: LvsStore, host: string, at: number, error: string): void {
  const prev = store.getState().drains[host];
  if (!prev) throw new Error(`${host} was never read`);
  store.getState().setDrains(host, { ...prev, read: { at, ms: 10_000, ok: false, error } });
}
