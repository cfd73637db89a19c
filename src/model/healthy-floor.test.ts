import { describe, expect, it } from 'vitest';
import { parseRsProbe, type ProbeTarget } from '../../collectors/rs-probe.js';
import { configOf, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { checkHealthyFloor, floorRows, type FloorRow } from './healthy-floor.js';
import { directorHealth } from './rs-health.js';

/**
 * The NAT cluster's verdicts from captured probe rounds (test/fixtures/probes, test/lab/capture-probe-fixtures.sh): both
 * real servers keep weight 1 (no checker takes one out), the HTTP probe runs twice.
 */
const NOW = Date.parse('2026-12-02T01:20:00Z');
function natHealth(state: string) {
  const config = configOf({
    pollIntervalMs: 2000,
    hosts: { 'nat-director': {} },
    clusters: [
      {
        name: 'discuz',
        mode: 'nat',
        directors: [{ host: 'nat-director' }],
        healthProbes: { default: { kind: 'http', path: '/' } },
      },
    ],
  });
  const s = storeFromCaptures(
    config,
    { 'nat-director': { 'ipvs-list': `probes/${state}/nat-director.ipvsadm-Ln.txt` } },
    NOW,
  );
  const targets = JSON.parse(fixture(`probes/${state}/nat-director.targets.json`)) as ProbeTarget[];
  const parsed = parseRsProbe(fixture(`probes/${state}/nat-director.rs-probe.txt`), targets, 1000);
  if (!parsed.ok) throw new Error(parsed.error.message);
  for (const at of [NOW, NOW + 2000])
    s.getState().setRsProbes(
      'nat-director',
      targets.map((target, j) => ({ target, outcome: parsed.value[j]! })),
      at,
    );
  return floorRows(directorHealth(s.getState(), 'nat-director', NOW + 2000), 'TCP 172.16.60.22:80');
}

const row = (address: string, weight: number, healthy: boolean | undefined): FloorRow => ({
  address,
  port: 80,
  weight,
  healthy,
  why: healthy ? 'probe up 3ms' : healthy === false ? 'probe down' : 'no recent probe',
});

describe('the floor on healthy weighted servers', () => {
  it('says which servers are healthy and why, and never guards taking away what is down already', () => {
    // real2 was a tarpit in this capture: neither server answers.
    const rows = natHealth('httpd-stopped');
    expect(rows).toEqual([
      {
        address: '192.168.60.40',
        port: 80,
        weight: 1,
        healthy: false,
        why: 'probe down: no HTTP answer within 1000 ms',
      },
      { address: '192.168.60.99', port: 80, weight: 1, healthy: false, why: 'probe down: connection refused' },
    ]);
    const drainReal1 = checkHealthyFloor(rows, { address: '192.168.60.99', port: 80, weight: 0 });
    expect(drainReal1).toMatchObject({ floor: 1, healthyBefore: 0, healthyAfter: 0, guarded: false });
    expect(drainReal1.warning).toBe('healthy servers would carry 0 of the 2 weight (0%), under half');
  });

  it('guards draining the last healthy server', () => {
    // The healthy capture with real1's verdict turned down, as when its httpd is stopped.
    const rows = natHealth('healthy').map((r) =>
      r.address === '192.168.60.99' ? { ...r, healthy: false, why: 'probe down: connection refused' } : r,
    );
    expect(rows[0]!.why).toMatch(/^probe up \d+ms$/);
    const drainReal2 = checkHealthyFloor(rows, { address: '192.168.60.40', port: 80, weight: 0 });
    expect(drainReal2).toMatchObject({ floor: 1, healthyBefore: 1, healthyAfter: 0, guarded: true });
    expect(drainReal2.summary).toBe(
      '0 healthy weighted servers after the change (now 1); the floor is 1: below the floor',
    );
    expect(drainReal2.servers.map((s) => [s.address, s.healthy, s.weightAfter, s.counts, s.why])).toEqual([
      ['192.168.60.40', true, 0, false, rows[0]!.why],
      ['192.168.60.99', false, 1, false, 'probe down: connection refused'],
    ]);
    const drainReal1 = checkHealthyFloor(rows, { address: '192.168.60.99', port: 80, weight: 0 });
    expect(drainReal1).toMatchObject({ guarded: false, healthyAfter: 1, healthyWeightAfter: 1, weightBefore: 2 });
    expect(drainReal1.warning).toBeUndefined();
  });

  it('lets either server go when both are healthy, with the default floor', () => {
    const rows = natHealth('healthy');
    expect(rows.map((r) => r.healthy)).toEqual([true, true]);
    const c = checkHealthyFloor(rows, { address: '192.168.60.99', port: 80, weight: 0 });
    expect(c).toMatchObject({ guarded: false, healthyAfter: 1 });
    expect(c.servers.map((s) => [s.address, s.weightAfter, s.counts])).toEqual([
      ['192.168.60.40', 1, true],
      ['192.168.60.99', 0, false],
    ]);
    expect(
      checkHealthyFloor(rows, [
        { address: '192.168.60.99', port: 80, weight: 0 },
        { address: '192.168.60.40', port: 80, weight: 0 },
      ]).guarded,
    ).toBe(true);
  });

  it('takes the floor as a count or a percentage of the weighted servers, rounded up', () => {
    const rows = [
      row('a', 100, true),
      row('b', 100, true),
      row('c', 100, true),
      row('d', 0, true),
      row('e', 100, undefined),
    ];
    const drainA = { address: 'a', port: 80, weight: 0 };
    expect(checkHealthyFloor(rows, drainA, { percent: 50 })).toMatchObject({
      floor: 2,
      healthyAfter: 2,
      guarded: false,
    });
    expect(checkHealthyFloor(rows, drainA, { percent: 75 })).toMatchObject({ floor: 3, guarded: true });
    expect(checkHealthyFloor(rows, drainA, { count: 3 }).guarded).toBe(true);
    expect(checkHealthyFloor(rows, drainA, { percent: 75 }).summary).toBe(
      '2 healthy weighted servers after the change (now 3); the floor is 3 (75% of 4): below the floor',
    );
    // An unknown verdict is not healthy: e carries weight but does not count. b and c keep half the weight.
    expect(checkHealthyFloor(rows, drainA).warning).toBeUndefined();
    expect(checkHealthyFloor(rows, [drainA, { address: 'b', port: 80, weight: 0 }]).warning).toBe(
      'healthy servers would carry 100 of the 400 weight (25%), under half',
    );
  });

  it('never guards a change that does not take a healthy server away, even below the floor', () => {
    const rows = [row('a', 0, true), row('b', 100, false)];
    const restore = checkHealthyFloor(rows, { address: 'a', port: 80, weight: 100 }, { count: 2 });
    expect(restore).toMatchObject({ guarded: false, healthyBefore: 0, healthyAfter: 1, floor: 2 });
    const lower = checkHealthyFloor(rows, { address: 'b', port: 80, weight: 1 }, { count: 2 });
    expect(lower.guarded).toBe(false);
  });

  it('guards taking all weight from a server whose health is unknown, below the floor: it may be the healthy one', () => {
    // No recent probe of either (the director too busy to answer the probes): nothing says the other is healthy.
    const unknown = [row('192.168.60.40', 2, undefined), row('192.168.60.99', 2, undefined)];
    const drain = checkHealthyFloor(unknown, { address: '192.168.60.99', port: 80, weight: 0 });
    expect(drain).toMatchObject({ floor: 1, healthyBefore: 0, healthyAfter: 0, guarded: true });
    expect(drain.summary).toBe(
      '0 healthy weighted servers after the change (now 0); the floor is 1: below the floor; health unknown: 192.168.60.99:80',
    );
    // Lowering its weight (it still takes traffic) and restoring are not guarded; nor is draining one known down.
    expect(checkHealthyFloor(unknown, { address: '192.168.60.99', port: 80, weight: 1 }).guarded).toBe(false);
    const mixed = [row('192.168.60.40', 1, false), row('192.168.60.99', 1, undefined)];
    expect(checkHealthyFloor(mixed, { address: '192.168.60.40', port: 80, weight: 0 }).guarded).toBe(false);
    expect(checkHealthyFloor(mixed, { address: '192.168.60.99', port: 80, weight: 0 }).guarded).toBe(true);
    // A server no probe covers (a UDP service without a checker) is never known: draining it is not guarded.
    const udp = [{ ...row('192.168.60.99', 1, undefined), unprobed: true }];
    expect(checkHealthyFloor(udp, { address: '192.168.60.99', port: 80, weight: 0 }).guarded).toBe(false);
    // Above the floor an unknown server goes without a guard: the healthy ones left are enough.
    const enough = [row('a', 1, true), row('b', 1, undefined)];
    expect(checkHealthyFloor(enough, { address: 'b', port: 80, weight: 0 }).guarded).toBe(false);
  });
});
