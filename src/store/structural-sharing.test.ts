import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpvsList } from '../../collectors/ipvs-list.js';
import type { IpvsTable } from '../../collectors/ipvs-types.js';
import { shareStructure } from './structural-sharing.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures');
/** The NAT director's table as captured, parsed afresh each time (new objects, same values). */
function table(scenario: string): IpvsTable {
  const r = parseIpvsList(readFileSync(resolve(FIXTURES, scenario, 'nat-director/ipvsadm-Ln.txt'), 'utf8'));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('shareStructure', () => {
  it('returns the previous object when nothing changed', () => {
    const prev = table('healthy');
    expect(shareStructure(prev, table('healthy'))).toBe(prev);
  });

  it('keeps unchanged services and rows, takes changed ones from the new reading', () => {
    // rs-drained: 192.168.60.99 on the TCP service has weight 0, and inactive counts moved on every service.
    const prev = table('healthy');
    const next = table('rs-drained');
    const out = shareStructure(prev, next);
    expect(out).toEqual(next);
    expect(out).not.toBe(prev);
    const tcp = out.services.findIndex((s) => s.key.startsWith('TCP'));
    const drained = out.services[tcp]!.realServers.findIndex((rs) => rs.address === '192.168.60.99');
    expect(out.services[tcp]!.realServers[drained]).toBe(next.services[tcp]!.realServers[drained]);
    // The drained server's neighbour changed only its inactive count; the one in the next reading is taken as is.
    const other = out.services[tcp]!.realServers.find((rs) => rs.address === '192.168.60.40')!;
    expect(other.inactiveConns).toBe(90);
    // Strings and numbers equal in both stay equal; the service objects that differ are new containers or next's.
    for (const [i, s] of out.services.entries()) {
      if (JSON.stringify(s) === JSON.stringify(prev.services[i])) expect(s).toBe(prev.services[i]);
      else expect(s).not.toBe(prev.services[i]);
    }
  });

  it('builds a container only where it mixes old and new parts', () => {
    const prev = table('healthy');
    const next = table('healthy');
    const changed = { ...next, services: [...next.services] };
    const scheduler = changed.services[0]!.scheduler === 'sh' ? 'dh' : 'sh';
    const first = { ...changed.services[0]!, scheduler };
    changed.services[0] = first;
    const out = shareStructure(prev, changed);
    // A new list (it mixes the changed first service with the old others), the old others kept.
    expect(out.services).not.toBe(prev.services);
    expect(out.services).not.toBe(changed.services);
    expect(out.services.slice(1).every((s, i) => s === prev.services[i + 1])).toBe(true);
    // The changed service mixes its new scheduler with the old real-server list.
    expect(out.services[0]!.realServers).toBe(prev.services[0]!.realServers);
    expect(out.services[0]!.scheduler).toBe(scheduler);
  });

  it('notices added and removed keys and entries', () => {
    const prev = table('healthy');
    const fewer = { ...table('healthy'), services: table('healthy').services.slice(1) };
    expect(shareStructure(prev, fewer).services).toHaveLength(prev.services.length - 1);
    const { services: _dropped, ...withoutServices } = table('healthy');
    expect(shareStructure(prev, withoutServices as IpvsTable)).not.toBe(prev);
    expect('services' in shareStructure(prev, withoutServices as IpvsTable)).toBe(false);
    const extra = { ...table('healthy'), note: 'x' } as IpvsTable;
    expect(shareStructure(prev, extra)).not.toBe(prev);
  });
});
