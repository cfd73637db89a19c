import { describe, expect, it } from 'vitest';
import { countIpvsConns } from '../../collectors/ipvs-conns.js';
import { parseIpvsList } from '../../collectors/ipvs-list.js';
import type { IpvsTable } from '../../collectors/ipvs-types.js';
import { fixture } from '../../test/support/fixture-store.js';
import { drainLine, DRAINED_SHOWN_MS } from '../render/drain-line.js';
import { realServerDetail } from '../render/detail-model.js';
import { createLvsStore } from '../store/lvs-store.js';
import type { ConnTableRead } from '../store/drain-slice.js';
import { drainEvents } from './drain-events.js';
import { drainTargets, needsRead, nextDrains } from './drain-watch.js';
import type { LvsEvent } from '../store/store-types.js';

/**
 * director1's table as captured (test/fixtures/healthy), with web2 set to weight 0 as a drain does; its connection
 * table as captured 10 s apart (test/fixtures/conns, test/lab/capture-conn-fixtures.sh), and nat-director's, which holds
 * nothing toward web2: the table once the drain is over.
 */
function drainingTable(): IpvsTable {
  const r = parseIpvsList(fixture('healthy/director1/ipvsadm-Ln.txt'));
  if (!r.ok) throw new Error(r.error.message);
  const services = r.value.services.map((s) => ({
    ...s,
    realServers: s.realServers.map((rs) => (rs.address === '10.18.11.22' ? { ...rs, weight: 0 } : rs)),
  }));
  return { ...r.value, services };
}
const conns = (state: string, host: string) => countIpvsConns(fixture(`conns/${state}/${host}.lnc.txt`));
const okRead = (at: number, entries: number): ConnTableRead => ({ at, ms: 40, ok: true, entries, garbage: 0 });
const KEY = 'TCP 10.18.11.40:80|10.18.11.22:80';

describe('following a drain from the connection table', () => {
  it('watches the servers at weight 0 only, by service and port', () => {
    const targets = drainTargets(drainingTable());
    expect(targets).toEqual([
      {
        key: KEY,
        serviceKey: 'TCP 10.18.11.40:80',
        serverKey: '10.18.11.22:80',
        target: { address: '10.18.11.22', port: 80, serviceKey: 'TCP 10.18.11.40:80' },
        listed: 70,
      },
    ]);
    expect(needsRead(undefined, targets)).toBe(true);
  });

  it('counts what is left, notices returning clients, and says when the server is drained, once', () => {
    const targets = drainTargets(drainingTable());
    const live = conns('live', 'director1');
    const first = nextDrains('director1', undefined, targets, okRead(1000, live.entries), live);
    expect(first.servers[KEY]).toMatchObject({
      since: 1000,
      hadEntries: true,
      renewed: false,
      state: { active: 4, inactive: 44, templates: 1, drained: false },
    });
    expect(first.servers[KEY]?.states).toEqual({ ESTABLISHED: 4, FIN_WAIT: 44, ASSURED: 1 });
    expect(first.servers[KEY]?.topClients.map((c) => [c.address, c.count])).toEqual([['10.18.11.100', 48]]);
    const store0 = createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 2000, readOnly: false });
    store0.getState().setDrains('director1', first);
    expect(realServerDetail(store0.getState(), '10.18.11.22', 2000).connections.map((l) => l.text)).toEqual([
      '  director1 TCP 10.18.11.40:80: draining: 4 active, 44 inactive, 1 template, at most 15m53s',
      '    FIN_WAIT 44, ESTABLISHED 4, ASSURED 1 · top clients 10.18.11.100 ×48',
    ]);
    expect(drainLine(first, KEY, 2000)?.cells[0]).toBe(
      '    draining: 4 active, 44 inactive, 1 template, at most 15m53s',
    );
    // The same counts 10 s later would have been 10 s shorter: read again at the same bound, clients came back.
    const again = nextDrains('director1', first, targets, okRead(11_000, live.entries), live);
    expect(again.servers[KEY]?.renewed).toBe(true);
    expect(drainLine(again, KEY, 11_000)?.cells[0]).toContain('(clients came back)');

    const empty = conns('live', 'nat-director');
    const done = nextDrains('director1', again, targets, okRead(21_000, empty.entries), empty);
    expect(done.servers[KEY]).toMatchObject({ since: 1000, drainedAt: 21_000, hadEntries: true });
    expect(drainLine(done, KEY, 21_000 + 60_000)?.cells[0]).toBe(
      '    drained 1m00s ago: no connections, no templates left',
    );
    expect(drainLine(done, KEY, 21_000 + DRAINED_SHOWN_MS + 1)).toBeUndefined();
    // Drained and idle in the IPVS list: no more reads; connections listed again: read again.
    expect(
      needsRead(
        done,
        targets.map((t) => ({ ...t, listed: 0 })),
      ),
    ).toBe(false);
    expect(needsRead(done, targets)).toBe(true);

    const store = createLvsStore({ clusters: [], hosts: ['director1'], pollIntervalMs: 2000, readOnly: false });
    const events: LvsEvent[] = [];
    const states = [again, done, done].map((d) => {
      const prev = store.getState();
      store.getState().setDrains('director1', d);
      drainEvents(prev, store.getState(), (e) => events.push({ at: 0, ...e }));
      return store.getState();
    });
    expect(states[2]).toBe(states[1]);
    expect(events.map((e) => e.message)).toEqual([
      '10.18.11.22:80 drained on director1 (TCP 10.18.11.40:80): no connections, no templates left',
    ]);
  });

  it('raises nothing for a server already idle at weight 0, and keeps the last counts when a read fails', () => {
    const targets = drainTargets(drainingTable());
    const empty = conns('live', 'nat-director');
    const idle = nextDrains('director1', undefined, targets, okRead(1000, empty.entries), empty);
    expect(idle.servers[KEY]).toMatchObject({ hadEntries: false, drainedAt: 1000 });
    expect(drainLine(idle, KEY, 2000)).toBeUndefined();

    const live = conns('live', 'director1');
    const first = nextDrains('director1', undefined, targets, okRead(1000, live.entries), live);
    const failed = nextDrains(
      'director1',
      first,
      targets,
      { at: 9000, ms: 10_000, ok: false, error: 'timeout' },
      undefined,
    );
    expect(failed.servers[KEY]).toBe(first.servers[KEY]);
    expect(drainLine(failed, KEY, 9000)?.cells[0]).toContain('(last read failed: timeout)');
    // Weight back above 0: no longer followed.
    expect(nextDrains('director1', first, [], okRead(9000, live.entries), live).servers).toEqual({});
  });

  it('a table cut short never reads as drained', () => {
    const targets = drainTargets(drainingTable());
    const cut = countIpvsConns(fixture('conns/live/director1.lnc.txt'), { maxLines: 2 });
    const d = nextDrains('director1', undefined, targets, okRead(1000, cut.entries), cut);
    expect(d.servers[KEY]?.state).toMatchObject({ complete: false, drained: false });
  });
});
