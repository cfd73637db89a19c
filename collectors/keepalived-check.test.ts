import { describe, expect, it } from 'vitest';
import { fixture } from '../test/support/fixture-store.js';
import { parseCheckerDump } from './keepalived-check.js';

// /tmp/keepalived_check.data from the lab's directors (test/lab/capture-probe-fixtures.sh): virtual server
// 10.18.11.40:80, web1 (10.18.11.21) under TCP_CHECK, web2 (10.18.11.22) under HTTP_GET / expecting 200.
const dump = (state: string, host = 'director1') => {
  const r = parseCheckerDump(fixture(`probes/${state}/${host}.keepalived_check.data`));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe("keepalived's checker dump, captured", () => {
  it('healthy: one virtual server, both real servers alive, each with the checker keepalived.conf gives it', () => {
    const [vs, ...more] = dump('healthy').virtualServers;
    expect(more).toEqual([]);
    expect(vs).toMatchObject({ address: '10.18.11.40', port: 80, protocol: 'TCP' });
    expect(vs!.realServers.map((r) => [r.address, r.alive, r.configuredWeight, r.effectiveWeight])).toEqual([
      ['10.18.11.21', true, 100, 100],
      ['10.18.11.22', true, 100, 100],
    ]);
    expect(vs!.realServers[0]!.checkers).toEqual([
      {
        kind: 'TCP_CHECK',
        up: true,
        enabled: true,
        retries: 3,
        connectAddress: '10.18.11.21',
        connectPort: 80,
        connectTimeoutSec: 3,
      },
    ]);
    expect(vs!.realServers[1]!.checkers[0]).toMatchObject({
      kind: 'HTTP_GET',
      up: true,
      path: '/',
      statusCodes: [200],
    });
  });

  it('httpd stopped on web1: its checker is down, the server not alive (keepalived took it out of IPVS)', () => {
    const rs = dump('httpd-stopped').virtualServers[0]!.realServers;
    expect(rs.map((r) => [r.address, r.alive, r.failedCheckers, r.checkers[0]!.up, r.inhibitOnFailure])).toEqual([
      ['10.18.11.21', false, 1, false, false],
      ['10.18.11.22', true, 0, true, false],
    ]);
  });

  it('the BACKUP runs the same checkers', () => {
    expect(dump('httpd-stopped', 'director2').virtualServers[0]!.realServers.map((r) => r.alive)).toEqual([
      false,
      true,
    ]);
  });

  it('a dump cut inside a real server (read while keepalived wrote it) is refused, never read as "not alive"', () => {
    const text = fixture('probes/healthy/director1.keepalived_check.data');
    const second = text.indexOf('RIP = 10.18.11.22');
    const cut = parseCheckerDump(text.slice(0, text.indexOf('alive = 1', second)));
    expect(cut.ok).toBe(false);
    expect(!cut.ok && cut.error.message).toMatch(/10\.18\.11\.22:80 has no "alive" line/);
    // Cut between two real servers: the first is read whole; the second is not in the dump at all (not "down").
    const between = parseCheckerDump(text.slice(0, text.lastIndexOf('------< Real server >------')));
    expect(between.ok && between.value.virtualServers[0]!.realServers.map((r) => [r.address, r.alive])).toEqual([
      ['10.18.11.21', true],
    ]);
  });

  it('a text without the LVS topology is refused', () => {
    expect(parseCheckerDump(fixture('healthy/director1/keepalived-data.txt')).ok).toBe(false);
  });
});
