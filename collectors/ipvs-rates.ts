import type { IpvsCounters, IpvsTable } from './ipvs-types.js';
import { realServerKey } from './ipvs-types.js';

export interface IpvsRates {
  readonly connsPerSec: number;
  readonly inPktsPerSec: number;
  readonly outPktsPerSec: number;
  readonly inBytesPerSec: number;
  readonly outBytesPerSec: number;
}

/** Rates between two counter reads; undefined when a counter went backwards (table re-created). */
export function counterRates(prev: IpvsCounters, next: IpvsCounters, seconds: number): IpvsRates | undefined {
  if (seconds <= 0) return undefined;
  const d = (a: number, b: number) => (b >= a ? (b - a) / seconds : NaN);
  const r = {
    connsPerSec: d(prev.conns, next.conns),
    inPktsPerSec: d(prev.inPkts, next.inPkts),
    outPktsPerSec: d(prev.outPkts, next.outPkts),
    inBytesPerSec: d(prev.inBytes, next.inBytes),
    outBytesPerSec: d(prev.outBytes, next.outBytes),
  };
  return Object.values(r).some(Number.isNaN) ? undefined : r;
}

export interface IpvsTableRates {
  readonly services: ReadonlyMap<string, IpvsRates>;
  /** Keyed by `${serviceKey}|${realServerKey}`. */
  readonly realServers: ReadonlyMap<string, IpvsRates>;
}

export function tableRates(prev: IpvsTable, next: IpvsTable, seconds: number): IpvsTableRates {
  const services = new Map<string, IpvsRates>();
  const realServers = new Map<string, IpvsRates>();
  const before = new Map(prev.services.map((s) => [s.key, s]));
  for (const svc of next.services) {
    const old = before.get(svc.key);
    if (!old) continue;
    if (old.counters && svc.counters) {
      const r = counterRates(old.counters, svc.counters, seconds);
      if (r) services.set(svc.key, r);
    }
    const oldRs = new Map(old.realServers.map((rs) => [realServerKey(rs), rs]));
    for (const rs of svc.realServers) {
      const o = oldRs.get(realServerKey(rs));
      if (!o?.counters || !rs.counters) continue;
      const r = counterRates(o.counters, rs.counters, seconds);
      if (r) realServers.set(`${svc.key}|${realServerKey(rs)}`, r);
    }
  }
  return { services, realServers };
}
