import { parseRsProbe, type ProbeTarget } from '../../collectors/rs-probe.js';
import { buildSnapshot, type Snapshot } from '../../src/model/snapshot.js';
import type { LvsStore } from '../../src/store/lvs-store.js';
import { labLikeConfig } from './action-fixtures.js';
import { applyCaptures, configOf, fixture, storeFromCaptures } from './fixture-store.js';

/**
 * `snapshot --json` of real captured lab output in several states, for checking its documented schema: the probe
 * captures (test/fixtures/probes: a healthy lab, httpd stopped), keepalived dumps of a failover
 * (test/fixtures/keepalived-netns), the console's NAT table (persistence mask, fwmark, IPv6, UDP; stats twice, so
 * rates), the replication heartbeat and an NFS mount, and a director that went down.
 */
const NOW = Date.parse('2026-12-02T01:20:00Z');
const lab = labLikeConfig().config;
/** The lab's clusters with an HTTP health probe and a replication pair on discuz, and an NFS mount on web1. */
export const snapshotConfig = configOf({
  ...lab,
  pollIntervalMs: 2000,
  clusters: lab.clusters.map((c) =>
    c.name === 'discuz'
      ? {
          ...c,
          healthProbes: { default: { kind: 'http', path: '/' } },
          replication: [
            {
              name: 'attachments',
              source: { host: 'real2', path: '/web' },
              replica: { host: 'real1', path: '/web' },
              heartbeatFile: '.lvstop-heartbeat',
              rsyncTarget: '192.168.60.99::web',
              pusher: 'inotifywait',
            },
          ],
        }
      : { ...c, nfs: [{ host: 'web1', mountpoint: '/var/www/html', export: '10.18.11.30:/' }] },
  ),
});

const keepalived = (probeState: string) => ({
  stdout: [
    fixture('healthy/director1/keepalived-json.txt'),
    '@@keepalived-data',
    fixture('healthy/director1/keepalived-data.txt'),
    '@@keepalived-check',
    fixture(`probes/${probeState}/director1.keepalived_check.data`),
  ].join('\n'),
  stderr: '',
  exitCode: 0,
});

function probed(store: LvsStore, probeState: string, rounds: number): void {
  for (const host of ['nat-director', 'director1']) {
    const targets = JSON.parse(fixture(`probes/${probeState}/${host}.targets.json`)) as ProbeTarget[];
    const parsed = parseRsProbe(fixture(`probes/${probeState}/${host}.rs-probe.txt`), targets, 1000);
    if (!parsed.ok) throw new Error(parsed.error.message);
    for (let i = 0; i < rounds; i++)
      store.getState().setRsProbes(
        host,
        targets.map((target, j) => ({ target, outcome: parsed.value[j]! })),
        NOW + i * 2000,
      );
  }
}

function probeStore(probeState: string): LvsStore {
  const store = storeFromCaptures(
    snapshotConfig,
    {
      'nat-director': { 'ipvs-list': `probes/${probeState}/nat-director.ipvsadm-Ln.txt` },
      director1: { 'ipvs-list': `probes/${probeState}/director1.ipvsadm-Ln.txt`, keepalived: keepalived(probeState) },
      director2: { keepalived: 'keepalived-netns/fault.dump.txt' },
      real2: { heartbeat: 'healthy/real1/heartbeat.txt' },
    },
    NOW,
  );
  probed(store, probeState, 3);
  return store;
}

export function snapshotStates(): Record<string, Snapshot> {
  const healthy = probeStore('healthy');
  const stopped = probeStore('httpd-stopped');
  const failover = storeFromCaptures(
    snapshotConfig,
    {
      director1: {
        keepalived: 'keepalived-netns/fault.dump.txt',
        'keepalived-notify': 'failover/director1/keepalived-notify-log.txt',
      },
      director2: {
        keepalived: 'keepalived-netns/prio-minus20.dump.txt',
        'keepalived-notify': 'failover/director2/keepalived-notify-log.txt',
      },
    },
    NOW,
  );
  const splitBrain = storeFromCaptures(
    snapshotConfig,
    {
      director1: { keepalived: 'keepalived-netns/healthy-master.dump.txt' },
      director2: { keepalived: 'keepalived-netns/prio-minus20.dump.txt' },
    },
    NOW,
  );
  const console = storeFromCaptures(
    snapshotConfig,
    {
      'nat-director': {
        'ipvs-list': 'console/nat-director-ipvs-list.txt',
        'ipvs-stats': 'console/nat-director-ipvs-stats.txt',
      },
    },
    NOW - 2000,
  );
  applyCaptures(
    console,
    snapshotConfig,
    {
      'nat-director': {
        'ipvs-list': 'console/nat-director-ipvs-list.txt',
        'ipvs-stats': 'console/nat-director-ipvs-stats.txt',
      },
    },
    NOW,
  );
  const down = probeStore('healthy');
  down
    .getState()
    .hostDown('director1', { kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:2204' }, NOW + 30_000);
  down.getState().addEvents([
    { at: NOW + 30_000, severity: 'critical', host: 'director1', kind: 'host-down', message: 'director1 is down' },
    { at: NOW + 30_000, severity: 'warn', cluster: 'wordpress', kind: 'vrrp-transition', message: 'VI_WEB: BACKUP' },
  ]);
  down.getState().hostDown('nat-director', { kind: 'timeout', message: 'timed out' }, NOW + 30_000);
  // The DR pair with its BACKUP's sync daemon stopped (test/fixtures/conns/backup-sync-down): both tables counted,
  // then keepalived and IPVS read again a second on (the warning judges daemons between two VRRP readings).
  const syncDown = storeFromCaptures(
    snapshotConfig,
    Object.fromEntries(
      (['director1', 'director2'] as const).map((d) => [
        d,
        {
          keepalived: `healthy/${d}/keepalived-json.txt`,
          'ipvs-list': `healthy/${d}/ipvsadm-Ln.txt`,
          'ipvs-daemon': `conns/backup-sync-down/${d}.daemon.txt`,
          'ipvs-conn-count': {
            stdout: `${d === 'director1' ? 52 : 48} /proc/net/ip_vs_conn\n`,
            stderr: '',
            exitCode: 0,
          },
        },
      ]),
    ),
    NOW,
  );
  const again = (d: string) => ({
    keepalived: `healthy/${d}/keepalived-json.txt`,
    'ipvs-list': `healthy/${d}/ipvsadm-Ln.txt`,
  });
  applyCaptures(syncDown, snapshotConfig, { director1: again('director1'), director2: again('director2') }, NOW + 1000);
  return {
    'backup sync down': buildSnapshot(syncDown.getState(), NOW + 1000),
    healthy: buildSnapshot(healthy.getState(), NOW + 6000),
    'httpd-stopped': buildSnapshot(stopped.getState(), NOW + 6000),
    failover: buildSnapshot(failover.getState(), NOW + 1000),
    'split-brain': buildSnapshot(splitBrain.getState(), NOW + 1000),
    'console table with rates': buildSnapshot(console.getState(), NOW + 1000),
    'directors down': buildSnapshot(down.getState(), NOW + 60_000),
  };
}
