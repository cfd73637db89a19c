import { describe, expect, it } from 'vitest';
import { countIpvsConns } from '../../collectors/ipvs-conns.js';
import { parseIpvsList } from '../../collectors/ipvs-list.js';
import type { IpvsTable } from '../../collectors/ipvs-types.js';
import { fixture } from '../../test/support/fixture-store.js';
import { capturedStore, NOW } from '../../test/support/console-store.js';
import { drainLine } from '../render/drain-line.js';
import { serviceRows } from '../render/service-rows.js';
import type { ConnTableRead } from '../store/drain-slice.js';
import type { LvsEvent } from '../store/store-types.js';
import { connectionsWatchedOn, nextConns } from './conn-watch.js';
import { drainEvents } from './drain-events.js';
import { drainTargets, nextDrains, watchTargets } from './drain-watch.js';

/**
 * The tables as captured on the lab (test/fixtures/healthy: `ipvsadm -Ln --exact`), with the connection tables the
 * conn capture took while the client held connections through each VIP (test/fixtures/conns/live, by
 * test/lab/capture-conn-fixtures.sh): the same hosts and services, another moment.
 */
function table(host: string): IpvsTable {
  const r = parseIpvsList(fixture(`healthy/${host}/ipvsadm-Ln.txt`));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const conns = (host: string) => countIpvsConns(fixture(`conns/live/${host}.lnc.txt`));
const okRead = (at: number, entries: number): ConnTableRead => ({ at, ms: 40, ok: true, entries, garbage: 0 });

describe('every real server counted while a Connections view watches', () => {
  it('counts each server of each service, whatever its weight', () => {
    const counts = conns('director1');
    const all = watchTargets(table('director1'));
    expect(all.map((t) => t.key)).toEqual(['TCP 10.18.11.40:80|10.18.11.21:80', 'TCP 10.18.11.40:80|10.18.11.22:80']);
    const watched = nextConns(undefined, all, okRead(1000, counts.entries), counts);
    expect(watched?.complete).toBe(true);
    expect(watched?.read.at).toBe(1000);
    expect(watched?.servers).toEqual({
      'TCP 10.18.11.40:80|10.18.11.21:80': {
        serviceKey: 'TCP 10.18.11.40:80',
        serverKey: '10.18.11.21:80',
        active: 0,
        inactive: 0,
        templates: 0,
        states: {},
        topClients: [],
      },
      'TCP 10.18.11.40:80|10.18.11.22:80': {
        serviceKey: 'TCP 10.18.11.40:80',
        serverKey: '10.18.11.22:80',
        active: 4,
        inactive: 44,
        templates: 1,
        // `TCP 00:54  ASSURED  10.18.11.100:0 ...`: the one template, 54 s left as printed.
        templateLeftSec: 54,
        states: { ESTABLISHED: 4, FIN_WAIT: 44, ASSURED: 1 },
        topClients: [{ address: '10.18.11.100', count: 48, error: 0 }],
      },
    });
  });

  it("counts a fwmark service's servers by address, as a drain does, and each port service by its own port", () => {
    const counts = conns('nat-director');
    const watched = nextConns(undefined, watchTargets(table('nat-director')), okRead(1000, counts.entries), counts)!;
    const row = (key: string) => {
      const s = watched.servers[key]!;
      return [s.active, s.inactive, s.templates, s.templateLeftSec];
    };
    expect(row('TCP 172.16.60.22:80|192.168.60.40:80')).toEqual([4, 44, 1, 53]);
    expect(row('TCP 172.16.60.22:80|192.168.60.99:80')).toEqual([0, 0, 0, undefined]);
    expect(row('UDP 172.16.60.22:53|192.168.60.40:53')).toEqual([0, 10, 0, undefined]);
    expect(row('UDP 172.16.60.22:53|192.168.60.99:53')).toEqual([0, 10, 0, undefined]);
    // FWM 1: the table cannot tell its entries from the TCP and UDP services' toward the same address.
    expect(row('FWM 1|192.168.60.40:80')).toEqual([4, 54, 1, 53]);
    expect(watched.servers['FWM 1|192.168.60.40:80']?.states).toEqual({
      ESTABLISHED: 4,
      TIME_WAIT: 44,
      UDP: 10,
      ASSURED: 1,
    });
  });

  it('keeps the last counts when a read fails, and marks a read cut short as incomplete', () => {
    const counts = conns('director1');
    const all = watchTargets(table('director1'));
    const first = nextConns(undefined, all, okRead(1000, counts.entries), counts);
    expect(nextConns(first, all, { at: 9000, ms: 10_000, ok: false, error: 'timeout' }, undefined)).toBe(first);
    const cut = countIpvsConns(fixture('conns/live/director1.lnc.txt'), { maxLines: 10 });
    expect(nextConns(first, all, okRead(9000, cut.entries), cut)?.complete).toBe(false);
  });

  it('never makes a drain of a server above weight 0: no drain state, no line under it, no event', () => {
    const t = table('director1');
    const counts = conns('director1');
    const read = okRead(NOW, counts.entries);
    const store = capturedStore();
    const before = store.getState();
    // What the watcher writes after a read while watched: the drains of weight-0 servers (none here), every server's counts.
    const drains = nextDrains('director1', undefined, drainTargets(t), read, counts);
    store.getState().setDrains('director1', { ...drains, conns: nextConns(undefined, watchTargets(t), read, counts)! });
    const after = store.getState();
    expect(after.drains.director1?.servers).toEqual({});
    expect(Object.keys(after.drains.director1?.conns?.servers ?? {})).toHaveLength(2);
    const events: LvsEvent[] = [];
    drainEvents(before, after, (e) => events.push({ at: NOW, ...e }));
    expect(events).toEqual([]);
    expect(drainLine(after.drains.director1, 'TCP 10.18.11.40:80|10.18.11.22:80', NOW)).toBeUndefined();
    expect(serviceRows(after, 'wordpress', NOW).rows.some((r) => r.id.endsWith('|drain'))).toBe(false);
  });
});

describe('which directors a Connections view watches', () => {
  it("is the shown cluster's directors, and only while it is shown", () => {
    const store = capturedStore();
    expect(connectionsWatchedOn(store.getState(), 'director1')).toBe(false);
    store.getState().setConnectionsWatched(['second']);
    expect(connectionsWatchedOn(store.getState(), 'director1')).toBe(false);
    expect(connectionsWatchedOn(store.getState(), 'director2')).toBe(true);
    store.getState().setConnectionsWatched(['wordpress']);
    expect(connectionsWatchedOn(store.getState(), 'director1')).toBe(true);
    const set = store.getState().connectionsWatched;
    store.getState().setConnectionsWatched(['wordpress', 'wordpress']);
    expect(store.getState().connectionsWatched).toBe(set);
    store.getState().setConnectionsWatched([]);
    expect(connectionsWatchedOn(store.getState(), 'director1')).toBe(false);
  });
});
