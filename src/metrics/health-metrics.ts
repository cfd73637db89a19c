import type { NfsHealth } from '../../collectors/nfs.js';
import { doctorChecks } from '../model/doctor.js';
import { nfsWriteRows } from '../model/nfs-write-view.js';
import { replicationRows, type ReplicationRow } from '../model/replication-view.js';
import { vipHolders, vrrpAlerts, vrrpRows } from '../model/vrrp.js';
import type { LvsState } from '../store/lvs-store.js';
import type { HostRuntime } from '../store/store-types.js';
import { clustersOf, hostClusters, type Sample, type StateMetricSpec } from './state-metric.js';

const NFS_STATES: readonly (NfsHealth | 'UNKNOWN')[] = ['OK', 'SLOW', 'HUNG', 'STALE', 'MISSING', 'UNKNOWN'];

/**
 * How old each part of a host's data is, from its last *successful* read (a failed read leaves the age running). The
 * part names match the console's Hosts view.
 */
function dataAges(state: LvsState, now: number): { host: string; part: string; readAt: number }[] {
  const out: { host: string; part: string; readAt: number }[] = [];
  for (const h of Object.values(state.hosts))
    if (h.readAt !== undefined) out.push({ host: h.name, part: 'host', readAt: h.readAt });
  for (const d of Object.values(state.ipvs))
    if (d.okAt !== undefined) out.push({ host: d.host, part: 'ipvs', readAt: d.okAt });
  for (const k of Object.values(state.keepalived))
    if (k.okAt !== undefined) out.push({ host: k.host, part: 'keepalived', readAt: k.okAt });
  for (const m of Object.values(state.nfs)) {
    if (m.mountedReadAt !== undefined)
      out.push({ host: m.host, part: `nfs-mounts ${m.mountpoint}`, readAt: m.mountedReadAt });
    if (m.probedAt !== undefined) out.push({ host: m.host, part: `nfs-probe ${m.mountpoint}`, readAt: m.probedAt });
  }
  return out.filter((a) => a.readAt <= now + 60_000);
}

/** Parts of the host's last poll that are late or failed; 0 when the host is down (that is `lvstop_host_up`). */
const lateParts = (h: HostRuntime) =>
  h.status === 'down'
    ? 0
    : Object.values(h.parts ?? {}).filter((p) => p.lateSince !== undefined || p.error !== undefined).length;

/** One sample per host that has been polled (answered or failed), with its `cluster` label. */
function perHost(value: (h: HostRuntime) => number): (state: LvsState) => Sample[] {
  return (state) => {
    const clusters = hostClusters(state);
    return Object.values(state.hosts).flatMap((h) =>
      h.status === 'connecting'
        ? []
        : clustersOf(clusters, h.name).map((c): Sample => [{ cluster: c, host: h.name }, value(h)]),
    );
  };
}

/** One sample per host (and cluster) that has the value. */
function withHostValue(value: (h: HostRuntime) => number | undefined): (state: LvsState) => Sample[] {
  return (state) => {
    const clusters = hostClusters(state);
    return Object.values(state.hosts).flatMap((h) => {
      const v = value(h);
      return v === undefined ? [] : clustersOf(clusters, h.name).map((c): Sample => [{ cluster: c, host: h.name }, v]);
    });
  };
}

const PAIR_LABELS = ['cluster', 'pair', 'source', 'replica'];

/** One value per replication pair, from the Replication view's rows; absent while it is not known. */
function replicationGauge(
  name: string,
  help: string,
  value: (r: ReplicationRow) => number | undefined,
): StateMetricSpec {
  return {
    name,
    help,
    type: 'gauge',
    labelNames: PAIR_LABELS,
    samples: (state) =>
      state.clusters.flatMap((c) =>
        replicationRows(state, c).flatMap((r) => {
          const v = value(r);
          return v === undefined
            ? []
            : [[{ cluster: c.name, pair: r.name, source: r.source, replica: r.replica }, v] as Sample];
        }),
      ),
  };
}

/** Each host's reachability, its poll's late parts and read errors, and how old each part of its data is. */
function hostMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'lvstop_host_up',
      help: 'The host is reachable: it answered its last poll (1), even with some parts late, or not (0); absent while connecting.',
      type: 'gauge',
      labelNames: ['cluster', 'host'],
      samples: perHost((h) => (h.status === 'down' ? 0 : 1)),
    },
    {
      name: 'lvstop_host_late_parts',
      help: "Parts of the host's last poll that were late or failed (0: every part fresh).",
      type: 'gauge',
      labelNames: ['cluster', 'host'],
      samples: perHost(lateParts),
    },
    {
      name: 'lvstop_read_errors_total',
      help: 'Failed reads since start, per part (host: the poll failed at the transport).',
      type: 'counter',
      labelNames: ['cluster', 'host', 'part'],
      samples: (state) => {
        const clusters = hostClusters(state);
        return Object.values(state.hosts).flatMap((h) =>
          Object.entries(h.readErrors ?? {}).flatMap(([part, n]) =>
            clustersOf(clusters, h.name).map((c): Sample => [{ cluster: c, host: h.name, part }, n ?? 0]),
          ),
        );
      },
    },
    {
      name: 'lvstop_poll_interval_seconds',
      help: 'The poll interval: freshness thresholds in alert rules are multiples of it.',
      type: 'gauge',
      labelNames: [],
      samples: (state) => [[{}, state.pollIntervalMs / 1000]],
    },
    {
      name: 'lvstop_poll_cpu_seconds',
      help: "CPU one poll costs a director (its shell and the programs it ran, a moving average), from the shell's own times.",
      type: 'gauge',
      labelNames: ['cluster', 'host'],
      samples: withHostValue((h) => (h.pollCpuMs === undefined ? undefined : h.pollCpuMs / 1000)),
    },
    {
      name: 'lvstop_probe_round_size',
      help: "Real servers probed in each round from a director: as many as keep the probes within a share of the poll's CPU.",
      type: 'gauge',
      labelNames: ['cluster', 'host'],
      samples: withHostValue((h) => h.probeBudget?.perRound),
    },
    {
      name: 'lvstop_data_age_seconds',
      help: 'Seconds since this part of a host was last read successfully.',
      type: 'gauge',
      labelNames: ['cluster', 'host', 'part'],
      samples: (state, now) => {
        const clusters = hostClusters(state);
        return dataAges(state, now).flatMap((a) =>
          clustersOf(clusters, a.host).map((c): Sample => [
            { cluster: c, host: a.host, part: a.part },
            Math.max(0, (now - a.readAt) / 1000),
          ]),
        );
      },
    },
  ];
}

/** Split brain, no MASTER and who holds each VIP, per cluster. */
function vrrpMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'lvstop_vrrp_split_brain',
      help: 'More than one director is MASTER for this VRID (each read after the other became MASTER).',
      type: 'gauge',
      labelNames: ['cluster', 'vrid'],
      samples: (state) =>
        state.clusters.flatMap((c) => {
          const alerts = vrrpAlerts(state, c);
          const vrids = [...new Set(vrrpRows(state, c).flatMap((r) => (r.vrid === undefined ? [] : [r.vrid])))];
          return vrids.map((vrid): Sample => [
            { cluster: c.name, vrid: String(vrid) },
            alerts.some((a) => a.kind === 'split-brain' && a.message.startsWith(`VRID ${vrid}:`)) ? 1 : 0,
          ]);
        }),
    },
    {
      name: 'lvstop_vrrp_no_master',
      help: 'Every director of the cluster answered and none is MASTER.',
      type: 'gauge',
      labelNames: ['cluster'],
      samples: (state) =>
        state.clusters
          .filter((c) => vrrpRows(state, c).length > 0)
          .map((c): Sample => [{ cluster: c.name }, vrrpAlerts(state, c).some((a) => a.kind === 'no-master') ? 1 : 0]),
    },
    {
      name: 'lvstop_vip_holder',
      help: 'The director holds the VIP on a non-loopback interface (1), read after any other holder took it; absent for a director that is down. Two holders: split brain.',
      type: 'gauge',
      labelNames: ['cluster', 'vip', 'director'],
      samples: (state) =>
        state.clusters.flatMap((c) =>
          [...vipHolders(state, c)].flatMap(([vip, holders]) =>
            holders.map((director): Sample => [{ cluster: c.name, vip, director }, 1]),
          ),
        ),
    },
  ];
}

/** Each replication pair's lag, its critical threshold and the changes still to copy. */
function replicationMetrics(): StateMetricSpec[] {
  return [
    replicationGauge(
      'lvstop_replication_lag_seconds',
      "Source heartbeat minus the replica's copy of it, in seconds.",
      (r) => r.lagSeconds,
    ),
    {
      name: 'lvstop_replication_lag_critical_seconds',
      help: "The pair's configured critical lag (criticalSeconds), for alert rules to compare against.",
      type: 'gauge',
      labelNames: PAIR_LABELS,
      samples: (state) =>
        state.clusters.flatMap((c) =>
          c.replication.map((r): Sample => [
            { cluster: c.name, pair: r.name, source: r.source, replica: r.replica },
            r.criticalSeconds,
          ]),
        ),
    },
    replicationGauge(
      'lvstop_replication_lag_known',
      'The lag could be measured (1) or not (0: a side down, a heartbeat unreadable).',
      (r) => (r.lagSeconds === undefined ? 0 : 1),
    ),
    replicationGauge(
      'lvstop_replication_pending_changes',
      'Files an rsync dry run would still transfer from source to replica.',
      (r) => r.pendingChanges,
    ),
  ];
}

/** The NFS mounts' health and write checks, and the doctor's checks. */
function nfsAndDoctorMetrics(): StateMetricSpec[] {
  return [
    {
      name: 'lvstop_nfs_mount_health',
      help: 'NFS mount health: 1 for the state the mount is in, 0 for the others.',
      type: 'gauge',
      labelNames: ['cluster', 'host', 'mountpoint', 'state'],
      samples: (state) =>
        state.clusters.flatMap((c) =>
          c.nfs.flatMap((n) => {
            const health = state.nfs[n.id]?.health;
            if (!health) return [];
            return NFS_STATES.map((s): Sample => [
              { cluster: c.name, host: n.host, mountpoint: n.mountpoint, state: s },
              s === health ? 1 : 0,
            ]);
          }),
        ),
    },
    {
      name: 'lvstop_nfs_write_ok',
      help: 'The web user can create a file on the NFS mount (1) or not (0); absent while unknown or the host is down.',
      type: 'gauge',
      labelNames: ['cluster', 'host', 'mountpoint', 'user'],
      samples: (state) => {
        const now = Date.now();
        return state.clusters.flatMap((c) =>
          nfsWriteRows(state, c, now).flatMap((w) =>
            w.ok === null
              ? []
              : [
                  [
                    { cluster: c.name, host: w.host, mountpoint: w.mountpoint, user: w.user ?? `uid ${w.uid}` },
                    w.ok ? 1 : 0,
                  ] as Sample,
                ],
          ),
        );
      },
    },
    {
      name: 'lvstop_doctor_check_pass',
      help: 'A doctor check passes (1) or fails (0); absent while it has no data.',
      type: 'gauge',
      labelNames: ['cluster', 'host', 'check'],
      samples: (state) =>
        state.clusters.flatMap((c) =>
          doctorChecks(state, c).flatMap((d) =>
            d.pass === undefined ? [] : [[{ cluster: c.name, host: d.host, check: d.id }, d.pass ? 1 : 0] as Sample],
          ),
        ),
    },
  ];
}

export function healthMetrics(): StateMetricSpec[] {
  return [...hostMetrics(), ...vrrpMetrics(), ...replicationMetrics(), ...nfsAndDoctorMetrics()];
}
