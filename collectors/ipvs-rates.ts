import type { IpvsCounters, IpvsTable } from './ipvs-types.js';
import { rateKey } from './ids.js';
import { realServerKey, sameRealServer, sameService, serviceKeyOf } from './ipvs-types.js';
import { matchByKey } from './match-by-key.js';

export interface IpvsRates {
  readonly connsPerSec: number;
  readonly inPktsPerSec: number;
  readonly outPktsPerSec: number;
  readonly inBytesPerSec: number;
  readonly outBytesPerSec: number;
}

const COUNTERS = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const;

/**
 * Rates between two counter reads; undefined when the interval is not a positive finite time, when a counter is not
 * a finite non-negative number, or when one went backwards (table re-created, counter reset): no rate, never a
 * negative one.
 */
export function counterRates(prev: IpvsCounters, next: IpvsCounters, seconds: number): IpvsRates | undefined {
  if (!(Number.isFinite(seconds) && seconds > 0)) return undefined;
  const r: number[] = [];
  for (const k of COUNTERS) {
    const a = prev[k];
    const b = next[k];
    if (!(Number.isFinite(a) && Number.isFinite(b) && a >= 0 && b >= a)) return undefined;
    const rate = (b - a) / seconds;
    if (!Number.isFinite(rate)) return undefined;
    r.push(rate);
  }
  return {
    connsPerSec: r[0]!,
    inPktsPerSec: r[1]!,
    outPktsPerSec: r[2]!,
    inBytesPerSec: r[3]!,
    outBytesPerSec: r[4]!,
  };
}

export interface IpvsTableRates {
  readonly services: ReadonlyMap<string, IpvsRates>;
  /** Keyed by rateKey (ids.ts). */
  readonly realServers: ReadonlyMap<string, IpvsRates>;
}

export function tableRates(prev: IpvsTable, next: IpvsTable, seconds: number): IpvsTableRates {
  const services = new Map<string, IpvsRates>();
  const realServers = new Map<string, IpvsRates>();
  const before = matchByKey(prev.services, next.services, sameService, serviceKeyOf).matched;
  next.services.forEach((svc, i) => {
    const old = before[i];
    if (!old) return;
    if (old.counters && svc.counters) {
      const r = counterRates(old.counters, svc.counters, seconds);
      if (r) services.set(svc.key, r);
    }
    const oldRs = matchByKey(old.realServers, svc.realServers, sameRealServer, realServerKey).matched;
    svc.realServers.forEach((rs, j) => {
      const o = oldRs[j];
      if (!o?.counters || !rs.counters) return;
      const r = counterRates(o.counters, rs.counters, seconds);
      if (r) realServers.set(rateKey(svc.key, rs), r);
    });
  });
  return { services, realServers };
}
