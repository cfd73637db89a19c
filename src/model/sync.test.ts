import { describe, expect, it } from 'vitest';
import { parseExposition } from '../metrics/exposition.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { applyCaptures, configOf, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { SYNC_NOW, syncPairCaptures, syncPairConfig, syncPairStore } from '../../test/support/sync-captures.js';
import { diffEvents } from './events.js';
import { healthAlerts } from './health-alerts.js';
import { clusterOverview } from './overview.js';
import { syncAlerts, syncRows } from './sync.js';

/** The DR pair (test/support/sync-captures.ts): lab captures fed through the poller's own host plans. */
const NOW = SYNC_NOW;
const config = syncPairConfig;
const captures = syncPairCaptures;

const cluster = (store: ReturnType<typeof storeFromCaptures>) => store.getState().clusters[0]!;

describe('connection sync of the DR pair', () => {
  it('shows each director its daemon and table size, and warns of nothing while both daemons run', () => {
    const store = storeFromCaptures(config, captures('live'), NOW);
    const s = store.getState();
    expect(syncRows(s, cluster(store))).toEqual([
      {
        director: 'director1',
        vrrpState: 'MASTER',
        daemon: 'master',
        interface: 'eth0',
        syncId: 51,
        daemonsReadAt: NOW,
        daemonsEveryMs: 10_000,
        daemonError: null,
        entries: 49,
        entriesReadAt: NOW,
        entriesEveryMs: 30_000,
        entriesError: null,
      },
      expect.objectContaining({ director: 'director2', vrrpState: 'BACKUP', daemon: 'backup', entries: 45 }),
    ]);
    expect(syncAlerts(s, cluster(store))).toEqual([]);
  });

  it('warns when the BACKUP runs no backup sync daemon, in the health alerts and the overview', () => {
    const store = syncPairStore(captures('backup-sync-down'));
    const s = store.getState();
    expect(syncRows(s, cluster(store))[1]).toMatchObject({ director: 'director2', daemon: 'none', interface: null });
    const warning = 'a failover will drop persistent sessions: director2 runs no backup sync daemon';
    expect(syncAlerts(s, cluster(store))).toEqual([
      {
        kind: 'sync-drops-sessions',
        severity: 'warn',
        cluster: 'wordpress',
        director: 'director2',
        service: 'TCP 10.18.11.40:80',
        message: warning,
      },
    ]);
    expect(healthAlerts(s, cluster(store), NOW).map((a) => a.message)).toContain(warning);
    expect(clusterOverview(s, cluster(store), NOW).reasons).toContain(warning);
  });

  it('warns when the MASTER runs no master daemon (the BACKUP daemon-less capture on the MASTER)', () => {
    const c = captures('live');
    const store = syncPairStore({
      ...c,
      director1: { ...c.director1, 'ipvs-daemon': 'conns/backup-sync-down/director2.daemon.txt' },
    });
    expect(syncAlerts(store.getState(), cluster(store)).map((a) => a.message)).toEqual([
      'a failover will drop persistent sessions: director1 runs no master sync daemon',
    ]);
  });

  it('warns when the BACKUP listens for another syncid than the MASTER sends', () => {
    const c = captures('live');
    const other = fixture('conns/live/director2.daemon.txt').replace('syncid=51', 'syncid=52');
    const store = syncPairStore({
      ...c,
      director2: { ...c.director2, 'ipvs-daemon': { stdout: other, stderr: '', exitCode: 0 } },
    });
    expect(syncAlerts(store.getState(), cluster(store)).map((a) => a.message)).toEqual([
      "a failover will drop persistent sessions: director2's backup sync daemon has syncid 52, director1's master 51",
    ]);
  });

  it('warns when the BACKUP holds under half the entries of a MASTER with at least 100', () => {
    const short = storeFromCaptures(config, captures('live', { director1: 1000, director2: 499 }), NOW);
    expect(syncAlerts(short.getState(), cluster(short)).map((a) => a.message)).toEqual([
      'a failover will drop persistent sessions: director2 holds 499 connection entries, director1 (MASTER) 1000',
    ]);
    const half = storeFromCaptures(config, captures('live', { director1: 1000, director2: 500 }), NOW);
    expect(syncAlerts(half.getState(), cluster(half))).toEqual([]);
    const small = storeFromCaptures(config, captures('live', { director1: 99, director2: 0 }), NOW);
    expect(syncAlerts(small.getState(), cluster(small))).toEqual([]);
  });

  it('does not judge daemons read before a failover: the new MASTER shows its old role until read again', () => {
    const store = storeFromCaptures(config, captures('live'), NOW);
    expect(syncAlerts(store.getState(), cluster(store))).toEqual([]);
    // director1's keepalived stopped and director2 took over (captured so on the lab); neither's daemons read since.
    const failover = (host: string) => ({
      keepalived: `failover/${host}/keepalived-json.txt`,
      'ip-addr': `failover/${host}/ip-j-addr.txt`,
      'ipvs-list': `failover/${host}/ipvsadm-Ln.txt`,
      'ipvs-stats': `failover/${host}/ipvsadm-Ln-stats.txt`,
    });
    applyCaptures(store, config, { director1: failover('director1'), director2: failover('director2') }, NOW + 3000);
    expect(syncRows(store.getState(), cluster(store))[1]).toMatchObject({ vrrpState: 'MASTER', daemon: 'backup' });
    expect(syncAlerts(store.getState(), cluster(store))).toEqual([]);
    // Read again after the takeover, director2 still runs only a backup daemon. In the same poll as a keepalived read
    // (taken before the daemons: a transition in between would pit the old state against the new roles), not yet.
    const director2 = { ...failover('director2'), 'ipvs-daemon': 'conns/live/director2.daemon.txt' };
    applyCaptures(store, config, { director2 }, NOW + 5000);
    expect(syncAlerts(store.getState(), cluster(store))).toEqual([]);
    // The next poll's keepalived read finds director2 still MASTER: now it is said.
    applyCaptures(store, config, { director2: failover('director2') }, NOW + 7000);
    expect(syncAlerts(store.getState(), cluster(store)).map((a) => a.message)).toEqual([
      'a failover will drop persistent sessions: director2 runs no master sync daemon',
    ]);
  });

  it('keeps a steady warning through each new read of the daemons, until the next VRRP read bears it out', () => {
    const store = syncPairStore(captures('backup-sync-down'));
    const messages = () => syncAlerts(store.getState(), cluster(store)).map((a) => a.message);
    const warning = ['a failover will drop persistent sessions: director2 runs no backup sync daemon'];
    expect(messages()).toEqual(warning);
    // 10 s on the daemons are read again, after keepalived in that poll: the reading before stands meanwhile.
    const { 'ipvs-conn-count': _c, ...poll } = captures('backup-sync-down').director2;
    applyCaptures(store, config, { director2: poll }, NOW + 10_000);
    expect(messages()).toEqual(warning);
    const { 'ipvs-daemon': _d, ...next } = poll;
    applyCaptures(store, config, { director2: next }, NOW + 12_000);
    expect(messages()).toEqual(warning);
    // Started again by hand: said once a VRRP read bears the new reading out.
    applyCaptures(
      store,
      config,
      { director2: { ...poll, 'ipvs-daemon': 'conns/live/director2.daemon.txt' } },
      NOW + 20_000,
    );
    expect(messages()).toEqual(warning);
    applyCaptures(store, config, { director2: next }, NOW + 22_000);
    expect(messages()).toEqual([]);
  });

  it('compares table sizes only when they were counted within seconds of each other', () => {
    const { director1, director2 } = captures('live', { director1: 1000, director2: 499 });
    // The BACKUP counted 20 s before the MASTER: the table may have doubled in between; nothing is said.
    const apart = storeFromCaptures(config, { director2 }, NOW - 20_000);
    applyCaptures(apart, config, { director1 }, NOW);
    expect(syncRows(apart.getState(), cluster(apart)).map((r) => r.entries)).toEqual([1000, 499]);
    expect(syncAlerts(apart.getState(), cluster(apart))).toEqual([]);
    // Counted 4 s apart (within SYNC_COUNT_APART_MS): the short BACKUP is warned of.
    const together = storeFromCaptures(config, { director2 }, NOW - 4_000);
    applyCaptures(together, config, { director1 }, NOW);
    expect(syncAlerts(together.getState(), cluster(together)).map((a) => a.director)).toEqual(['director2']);
  });

  it('judges nothing for a single director or before the daemons are read', () => {
    const single = configOf({
      hosts: { director1: {} },
      clusters: [{ ...config.clusters[0], directors: [{ host: 'director1' }] }],
    });
    const c = captures('backup-sync-down');
    const one = storeFromCaptures(single, { director1: c.director1 }, NOW);
    expect(syncAlerts(one.getState(), cluster(one))).toEqual([]);
    const { 'ipvs-daemon': _, ...unread } = c.director2;
    const store = storeFromCaptures(config, { ...c, director2: unread }, NOW);
    expect(syncRows(store.getState(), cluster(store))[1]).toMatchObject({ daemon: 'unknown', daemonsReadAt: null });
    expect(syncAlerts(store.getState(), cluster(store))).toEqual([]);
  });

  it('exports each director its daemons by role, its table size and the warning on /metrics', async () => {
    const store = syncPairStore(captures('backup-sync-down'));
    const metrics = createFleetMetrics(store);
    const samples = parseExposition(await metrics.registry.metrics());
    metrics.close();
    const of = (name: string) => samples.filter((x) => x.name === name).map((x) => [x.labels, x.value]);
    expect(of('lvstop_ipvs_sync_daemon')).toEqual([
      [{ host: 'director1', role: 'master' }, 1],
      [{ host: 'director1', role: 'backup' }, 0],
      [{ host: 'director2', role: 'master' }, 0],
      [{ host: 'director2', role: 'backup' }, 0],
    ]);
    expect(of('lvstop_ipvs_connections')).toEqual([
      [{ host: 'director1' }, 49],
      [{ host: 'director2' }, 45],
    ]);
    expect(of('lvstop_health_alert')).toContainEqual([
      expect.objectContaining({ director: 'director2', kind: 'sync-drops-sessions', severity: 'warning' }),
      1,
    ]);
    // A director that is down exports no sync series: its last reading is history.
    store.getState().hostDown('director2', { kind: 'unreachable', message: 'connect ECONNREFUSED' }, NOW + 1000);
    const after = createFleetMetrics(store);
    const hosts = parseExposition(await after.registry.metrics())
      .filter((x) => x.name === 'lvstop_ipvs_connections')
      .map((x) => x.labels.host);
    after.close();
    expect(hosts).toEqual(['director1']);
  });

  it('says when the warning begins: at the VRRP read after the daemons read, which confirms the roles', () => {
    const store = storeFromCaptures(config, captures('live'), NOW);
    const first = store.getState();
    store.getState().setSyncDaemons('director2', { readAt: NOW + 10_000, ok: true });
    const read = store.getState();
    // The daemons were read after keepalived in that poll: a transition in between is not ruled out yet.
    expect(diffEvents(first, read, NOW + 10_000).filter((e) => e.kind.startsWith('sync'))).toEqual([]);
    const { 'ipvs-daemon': _d, 'ipvs-conn-count': _c, ...next } = captures('live').director2;
    applyCaptures(store, config, { director2: next }, NOW + 11_000);
    expect(diffEvents(read, store.getState(), NOW + 11_000)).toContainEqual(
      expect.objectContaining({
        severity: 'warn',
        kind: 'sync-drops-sessions-begin',
        host: 'director2',
        message: 'a failover will drop persistent sessions: director2 runs no backup sync daemon',
      }),
    );
  });
});
