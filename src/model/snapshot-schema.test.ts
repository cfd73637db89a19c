import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { snapshotStates } from '../../test/support/snapshot-states.js';

/** docs/snapshot.schema.json, the documented contract of `snapshot --json`, checked against real snapshots. */
const schemaText = readFileSync(join(import.meta.dirname, '../../docs/snapshot.schema.json'), 'utf8');
const validator = z.fromJSONSchema(JSON.parse(schemaText) as Parameters<typeof z.fromJSONSchema>[0]);
const states = snapshotStates();

function problems(value: unknown): string[] {
  const r = validator.safeParse(JSON.parse(JSON.stringify(value)));
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** Every key path that occurs in a value (array indexes folded), to tell the states cover the schema. */
function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keyPaths(v, `${prefix}[]`, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.add(`${prefix}.${k}`);
      keyPaths(v, `${prefix}.${k}`, out);
    }
  return out;
}

describe('snapshot --json matches docs/snapshot.schema.json', () => {
  it.each(Object.keys(states))('%s', (name) => {
    expect(problems(states[name])).toEqual([]);
  });

  it('the states exercise what the console shows about services and real servers', () => {
    const paths = new Set(Object.values(states).flatMap((s) => [...keyPaths(s)]));
    const service = '.clusters[].directors[].services[]';
    for (const p of [
      `${service}.persistenceMask`,
      `${service}.rates.connsPerSec`,
      `${service}.realServers[].counters.conns`,
      `${service}.realServers[].health.checker.effectiveWeight`,
      `${service}.realServers[].health.probe.notProbed`,
      `${service}.removedByChecker[].health.verdict`,
      '.clusters[].vrrp[].lastKnown.holdsVips',
      '.clusters[].vrrp[].failover.expected.onSilenceSec',
      '.clusters[].vrrp[].failover.measured[].leftAt',
      '.clusters[].healthAlerts[].fix',
      '.clusters[].sync[].syncId',
      '.clusters[].sync[].entries',
      '.clusters[].alerts[].kind',
      '.clusters[].directors[].ipvs.lastKnown',
      '.hosts[].error.kind',
      '.events[].cluster',
    ])
      expect(paths, p).toContain(p);
    const masks = Object.values(states).flatMap((s) =>
      s.clusters.flatMap((c) => c.directors.flatMap((d) => d.services.map((x) => x.persistenceMask))),
    );
    expect(masks).toContain('255.255.255.0');
  });

  it('gives each director of the DR pair its sync daemon and table size, and the sync warning', () => {
    const wordpress = states['backup sync down']!.clusters.find((c) => c.name === 'wordpress')!;
    expect(wordpress.sync.map((r) => [r.director, r.vrrpState, r.daemon, r.entries])).toEqual([
      ['director1', 'MASTER', 'master', 51],
      ['director2', 'BACKUP', 'none', 47],
    ]);
    expect(wordpress.healthAlerts.filter((a) => a.kind === 'sync-drops-sessions').map((a) => a.director)).toEqual([
      'director2',
    ]);
  });

  it('fails on a renamed, a missing or an extra field, and on a wrong type', () => {
    const snap = JSON.parse(JSON.stringify(states['console table with rates'])) as {
      clusters: { directors: { services: Record<string, unknown>[] }[] }[];
    };
    const service = snap.clusters[0]!.directors[0]!.services[0]!;
    const renamed = structuredClone(snap);
    const s1 = renamed.clusters[0]!.directors[0]!.services[0]!;
    s1['persistenceNetmask'] = s1['persistenceMask'];
    delete s1['persistenceMask'];
    expect(problems(renamed).join('\n')).toMatch(/persistence/i);
    const wrong = structuredClone(snap);
    wrong.clusters[0]!.directors[0]!.services[0]!['port'] = String(service['port']);
    expect(problems(wrong)).not.toEqual([]);
    const extra = structuredClone(snap) as unknown as Record<string, unknown>;
    extra['surprise'] = 1;
    expect(problems(extra)).not.toEqual([]);
  });
});
