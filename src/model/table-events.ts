import {
  realServerKey,
  sameRealServer,
  sameService,
  serviceKeyOf,
  type IpvsService,
} from '../../collectors/ipvs-types.js';
import { matchByKey } from '../../collectors/match-by-key.js';
import type { LvsState } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';
import type { LvsEvent } from '../store/store-types.js';

/** Where a diff puts the events it finds (the time is the diff's). */
export type EmitEvent = (e: Omit<LvsEvent, 'at'>) => void;

/** One service found in both tables: its scheduler, and real servers added, re-weighted or removed. */
function serviceEvents(host: string, o: IpvsService, s: IpvsService, ev: EmitEvent): void {
  const key = s.key;
  if (o.scheduler !== s.scheduler)
    ev({
      severity: 'warn',
      host,
      kind: 'scheduler-changed',
      message: `${host}: ${key} scheduler ${o.scheduler} → ${s.scheduler}`,
    });
  const rs = matchByKey(o.realServers, s.realServers, sameRealServer, realServerKey);
  s.realServers.forEach((r, j) => {
    const or = rs.matched[j];
    if (!or)
      ev({
        severity: 'warn',
        host,
        kind: 'real-server-added',
        message: `${host}: ${key} real server ${realServerKey(r)} added`,
      });
    else if (or.weight !== r.weight)
      ev({
        severity: r.weight === 0 ? 'warn' : 'info',
        host,
        kind: 'weight-changed',
        message: `${host}: ${key} ${realServerKey(r)} weight ${or.weight} → ${r.weight}`,
      });
  });
  for (const gone of rs.removed)
    ev({
      severity: 'critical',
      host,
      kind: 'real-server-removed',
      message: `${host}: ${key} real server ${realServerKey(gone)} removed`,
    });
}

/** What changed in the directors' IPVS tables the last write touched (two good readings needed). */
export function ipvsEvents(prev: LvsState, next: LvsState, ev: EmitEvent): void {
  for (const host of changedKeys(prev.ipvs, next.ipvs, next.changes?.ipvs)) {
    const d = next.ipvs[host];
    const p = prev.ipvs[host];
    if (!d || !p || p === d || p.reading.status !== 'ok' || d.reading.status !== 'ok') continue;
    const services = matchByKey(p.reading.table.services, d.reading.table.services, sameService, serviceKeyOf);
    d.reading.table.services.forEach((s, i) => {
      const o = services.matched[i];
      if (o) serviceEvents(host, o, s, ev);
      else ev({ severity: 'warn', host, kind: 'service-added', message: `${host}: service ${s.key} added` });
    });
    for (const gone of services.removed)
      ev({ severity: 'critical', host, kind: 'service-removed', message: `${host}: service ${gone.key} removed` });
  }
}
