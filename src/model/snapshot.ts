import type { IpvsRates } from '../../collectors/ipvs-rates.js';
import { rateKey } from '../../collectors/ids.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo, DirectorIpvs, HostRuntime } from '../store/store-types.js';
import { doctorChecks } from './doctor.js';
import { ipvsDrift } from './ipvs-drift.js';
import { nfsWriteJson, nfsWriteRow } from './nfs-write-view.js';
import { clusterOverview } from './overview.js';
import { replicationRows } from './replication-view.js';
import { vrrpAlerts, vrrpRows } from './vrrp.js';
import { clusterTimings, failoverJson } from './vrrp-timing.js';
import { healthAlerts } from './health-alerts.js';
import { directorHealth, type RealServerHealth } from './rs-health.js';
import { syncRows } from './sync.js';

/** A real server's health as `snapshot --json` gives it: the verdict, the probe, keepalived's checker and notes. */
function healthJson(h: RealServerHealth | undefined) {
  if (!h) return null;
  const p = h.probe;
  const c = h.checker;
  return {
    verdict: h.verdict,
    healthy: h.healthy ?? null,
    probe:
      'notProbed' in h.plan
        ? { how: null, notProbed: h.plan.notProbed }
        : {
            how: h.plan.how,
            ok: p?.ok ?? null,
            detail: p?.detail ?? null,
            ms: p?.ms ?? null,
            at: p ? new Date(p.at).toISOString() : null,
            failuresInARow: p?.failures ?? null,
            since: p ? new Date(p.since).toISOString() : null,
          },
    checker: c
      ? {
          kind: c.kind,
          up: c.up,
          alive: c.alive,
          failedCheckers: c.failedCheckers,
          configuredWeight: c.configuredWeight,
          effectiveWeight: c.effectiveWeight,
          inhibitOnFailure: c.inhibitOnFailure,
        }
      : null,
    notes: h.notes,
  };
}

export interface SnapshotRates {
  readonly connsPerSec: number;
  readonly inPktsPerSec: number;
  readonly outPktsPerSec: number;
  readonly inBytesPerSec: number;
  readonly outBytesPerSec: number;
}

const rates = (r: IpvsRates | undefined): SnapshotRates | null => (r ? { ...r } : null);

/** One host as the snapshot gives it: its state, error, ages of each poll part, clock skew and info. */
function hostJson(h: HostRuntime, now: number) {
  return {
    name: h.name,
    state: h.status,
    error: h.error ? { kind: h.error.kind, message: h.error.message } : null,
    readAt: h.readAt ? new Date(h.readAt).toISOString() : null,
    ageMs: h.readAt ? now - h.readAt : null,
    // Each part of the host's poll on its own: a late or failed part is stale while the rest is fresh.
    parts: Object.fromEntries(
      Object.entries(h.parts ?? {}).map(([id, p]) => [
        id,
        {
          pane: p.pane,
          ageMs: p.readAt === undefined ? null : now - p.readAt,
          lateMs: p.lateSince === undefined ? null : now - p.lateSince,
          error: p.error ?? null,
        },
      ]),
    ),
    clockSkewMs: h.clockSkewMs ?? null,
    info: h.info ?? null,
  };
}

/** The cluster's VRRP rows, times as ISO strings. */
function vrrpJson(state: LvsState, cluster: ClusterInfo) {
  const rows = vrrpRows(state, cluster);
  const timings = clusterTimings(state, cluster, rows);
  return rows.map((r) => ({
    ...r,
    failover: failoverJson(timings.get(r.instance), r.director),
    lastTransition: r.lastTransition ? new Date(r.lastTransition * 1000).toISOString() : null,
    ...(r.lastKnown
      ? {
          lastKnown: {
            ...r.lastKnown,
            readAt: r.lastKnown.readAt === undefined ? null : new Date(r.lastKnown.readAt).toISOString(),
          },
        }
      : {}),
  }));
}

/** The cluster's configured NFS mounts: health, probe, counter deltas and write check. */
function nfsJson(state: LvsState, cluster: ClusterInfo, now: number) {
  return cluster.nfs.map((m) => {
    const n = state.nfs[m.id];
    return {
      host: m.host,
      mountpoint: m.mountpoint,
      export: m.export ?? null,
      health: n?.health ?? null,
      reason: n?.reason ?? null,
      device: n?.entry?.device ?? null,
      probeMs: n?.probe?.elapsedMs ?? null,
      probedAt: n?.probedAt ? new Date(n.probedAt).toISOString() : null,
      delta: n?.delta ?? null,
      write: nfsWriteJson(nfsWriteRow(state, m, now)),
    };
  });
}

/** How the director's IPVS table was read: unknown, the error, or the source (and whether it is last known). */
function ipvsStatusJson(state: LvsState, host: string, d: DirectorIpvs | undefined) {
  const reading = d?.reading;
  return !reading
    ? { status: 'unknown' as const }
    : reading.status !== 'ok'
      ? {
          status: reading.status,
          message: reading.message,
          ...('kind' in reading ? { kind: reading.kind } : {}),
        }
      : {
          status: 'ok' as const,
          source: reading.source,
          note: reading.note ?? null,
          readAt: new Date(d.readAt).toISOString(),
          // The director is down: this table is the last one it answered with, not the present.
          lastKnown: state.hosts[host]?.status === 'down',
        };
}

/** One service of a director's table, with its real servers' counters, rates and health. */
function serviceJson(s: IpvsService, d: DirectorIpvs | undefined, health: readonly RealServerHealth[]) {
  const healthOf = (serviceKey: string, rs: { address: string; port: number }) =>
    healthJson(health.find((h) => h.service.key === serviceKey && h.address === rs.address && h.port === rs.port));
  return {
    key: s.key,
    protocol: s.protocol,
    address: s.address ?? null,
    port: s.port ?? null,
    fwmark: s.fwmark ?? null,
    scheduler: s.scheduler,
    persistence: s.persistence ?? null,
    persistenceMask: s.persistenceMask ?? null,
    flags: s.flags,
    counters: s.counters ?? null,
    rates: rates(d?.serviceRates[s.key]),
    realServers: s.realServers.map((rs) => ({
      address: rs.address,
      port: rs.port,
      forward: rs.forward,
      weight: rs.weight,
      activeConns: rs.activeConns,
      inactiveConns: rs.inactiveConns,
      counters: rs.counters ?? null,
      rates: rates(d?.realServerRates[rateKey(s.key, rs)]),
      health: healthOf(s.key, rs),
    })),
    // In keepalived.conf, out of the table: what its checker removed.
    removedByChecker: health
      .filter((h) => h.service.key === s.key && !h.rs)
      .map((h) => ({ address: h.address, port: h.port, health: healthJson(h) })),
  };
}

/** One director: how its table was read, and its services. */
function directorJson(state: LvsState, host: string, now: number) {
  const d = state.ipvs[host];
  const reading = d?.reading;
  const health = directorHealth(state, host, now);
  return {
    host,
    ipvs: ipvsStatusJson(state, host, d),
    services: reading?.status === 'ok' ? reading.table.services.map((s) => serviceJson(s, d, health)) : [],
  };
}

/** Each director's connection sync daemons and table size, read times as ISO strings. */
function syncJson(state: LvsState, cluster: ClusterInfo) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return syncRows(state, cluster).map((r) => ({
    ...r,
    daemonsReadAt: iso(r.daemonsReadAt),
    entriesReadAt: iso(r.entriesReadAt),
  }));
}

/** One cluster: its overview, alerts, VRRP, drift, doctor, replication, NFS and directors. */
function clusterJson(state: LvsState, cluster: ClusterInfo, now: number) {
  return {
    name: cluster.name,
    mode: cluster.mode,
    vips: cluster.vips,
    overview: clusterOverview(state, cluster, now),
    alerts: vrrpAlerts(state, cluster),
    healthAlerts: healthAlerts(state, cluster, now),
    vrrp: vrrpJson(state, cluster),
    drift: ipvsDrift(state, cluster),
    doctor: doctorChecks(state, cluster),
    replication: replicationRows(state, cluster),
    nfs: nfsJson(state, cluster, now),
    sync: syncJson(state, cluster),
    directors: cluster.directors.map((host) => directorJson(state, host, now)),
  };
}

/** The whole model the console shows, as plain JSON (the `snapshot --json` contract, documented in the README). */
export function buildSnapshot(state: LvsState, now = Date.now()) {
  return {
    version: 1,
    events: state.events.slice(-50).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    takenAt: new Date(now).toISOString(),
    hosts: Object.values(state.hosts).map((h) => hostJson(h, now)),
    clusters: state.clusters.map((cluster) => clusterJson(state, cluster, now)),
  };
}

export type Snapshot = ReturnType<typeof buildSnapshot>;
