import { tableRates } from '../../collectors/ipvs-rates.js';
import { probeTargetKey } from '../../collectors/rs-probe.js';
import type { StoreWriter } from './commit-window.js';
import { HISTORY_POINTS, type LvsState } from './lvs-state.js';
import { shareStructure } from './structural-sharing.js';
import { nextProbe } from './seen-since.js';
import type { DirectorIpvs, RateHistory, RealServerProbe } from './store-types.js';
import { countReadError } from './hosts-slice.js';

type IpvsActions = Pick<LvsState, 'setIpvs' | 'setRsProbes'>;

/** Add `value` to a series in place, dropping the oldest point beyond HISTORY_POINTS. */
function pushCapped(points: readonly number[], value: number): void {
  const series = points as number[];
  series.push(value);
  if (series.length > HISTORY_POINTS) series.splice(0, series.length - HISTORY_POINTS);
}

const mapToRecord = <V>(m: ReadonlyMap<string, V>): Record<string, V> => Object.fromEntries(m);

/**
 * Extend a director's rate history with this reading's rates. Only the real servers in the reading keep a history:
 * one that left the table takes its history with it. The series grow in place (the history is drawn, never
 * compared between states): a 2,000-row table adds 4,000 points a poll, not 4,000 new arrays, and the director's
 * record is replaced only when its set of real servers changes.
 */
function writeHistory(w: StoreWriter, host: string, rates: DirectorIpvs['realServerRates']): void {
  const before = w.get().history[host] ?? {};
  const keys = Object.keys(rates);
  const same = keys.length === Object.keys(before).length && keys.every((k) => Object.hasOwn(before, k));
  const record: Record<string, RateHistory> = same
    ? before
    : Object.fromEntries(keys.map((k) => [k, before[k] ?? { connsPerSec: [], bytesPerSec: [] }]));
  for (const k of keys) {
    const r = rates[k]!;
    pushCapped(record[k]!.connsPerSec, r.connsPerSec);
    pushCapped(record[k]!.bytesPerSec, r.inBytesPerSec + r.outBytesPerSec);
  }
  if (record !== before || !w.get().history[host]) w.writeEntry('history', host, record);
}

/** The rates between the director's last reading and this one (none without two good tables, in order). */
function ratesSince(prev: DirectorIpvs | undefined, reading: DirectorIpvs['reading'], readAt: number) {
  if (prev && prev.reading.status === 'ok' && reading.status === 'ok' && readAt > prev.readAt) {
    const r = tableRates(prev.reading.table, reading.table, (readAt - prev.readAt) / 1000);
    return { serviceRates: mapToRecord(r.services), realServerRates: mapToRecord(r.realServers) };
  }
  return { serviceRates: {}, realServerRates: {} };
}

/** The directors' IPVS tables, their rates and rate history, and the probes of their real servers. */
export function ipvsSlice(w: StoreWriter): IpvsActions {
  return {
    setIpvs: (host, reading, readAt) => {
      const prev = w.get().ipvs[host];
      const { serviceRates, realServerRates } = ratesSince(prev, reading, readAt);
      // The table keeps what did not change; the rates are new with every reading (a new read time), so they are
      // not compared.
      const shared = prev ? shareStructure(prev.reading, reading) : reading;
      if (prev && prev.readAt === readAt && shared === prev.reading) return;
      const okAt = reading.status === 'ok' ? readAt : prev?.okAt;
      w.writeEntry('ipvs', host, {
        host,
        readAt,
        ...(okAt === undefined ? {} : { okAt }),
        reading: shared,
        serviceRates,
        realServerRates,
      });
      if (reading.status === 'error') countReadError(w, host, 'ipvs');
      if (reading.status === 'ok') writeHistory(w, host, realServerRates);
    },
    setRsProbes: (director, results, at) => {
      if (results.length === 0) return;
      const before = w.get().probes[director] ?? {};
      const next: Record<string, RealServerProbe> = { ...before };
      for (const { target, outcome } of results)
        next[probeTargetKey(target)] = nextProbe(before[probeTargetKey(target)], target, outcome, at);
      w.writeEntry('probes', director, next);
    },
  };
}
