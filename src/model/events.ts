import type { LvsState } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';
import type { ClusterInfo, LvsEvent } from '../store/store-types.js';
import { nfsWriteRow } from './nfs-write-view.js';
import { replicationRows } from './replication-view.js';
import { vrrpAlerts, vrrpRows, type VrrpAlert } from './vrrp.js';
import { healthAlerts, type HealthAlert } from './health-alerts.js';
import { ipvsEvents, type EmitEvent } from './table-events.js';
import { drainEvents } from './drain-events.js';

/** A cluster's keepalived directors, listed once per cluster (clusters never change while the console runs). */
const DIRECTORS = new WeakMap<ClusterInfo, readonly string[]>();
function directorsOf(cluster: ClusterInfo): readonly string[] {
  let list = DIRECTORS.get(cluster);
  if (!list) DIRECTORS.set(cluster, (list = Object.keys(cluster.keepalived)));
  return list;
}

interface ClusterIndex {
  /** Clusters a host takes part in (director, keepalived, replication side), in config order. */
  readonly byHost: ReadonlyMap<string, readonly ClusterInfo[]>;
  readonly byPair: ReadonlyMap<string, ClusterInfo>;
  readonly order: ReadonlyMap<ClusterInfo, number>;
}
const INDEXES = new WeakMap<readonly ClusterInfo[], ClusterIndex>();
function clusterIndex(clusters: readonly ClusterInfo[]): ClusterIndex {
  let index = INDEXES.get(clusters);
  if (index) return index;
  const byHost = new Map<string, ClusterInfo[]>();
  const byPair = new Map<string, ClusterInfo>();
  const add = (host: string, c: ClusterInfo) => {
    const list = byHost.get(host) ?? [];
    if (!list.includes(c)) list.push(c);
    byHost.set(host, list);
  };
  for (const c of clusters) {
    for (const h of [...c.directors, ...directorsOf(c)]) add(h, c);
    for (const r of c.replication) {
      add(r.source, c);
      add(r.replica, c);
      byPair.set(r.id, c);
    }
  }
  index = { byHost, byPair, order: new Map(clusters.map((c, i) => [c, i])) };
  INDEXES.set(clusters, index);
  return index;
}

/** The clusters whose hosts, keepalived readings or replication pairs changed between the two states. */
function touchedClusters(prev: LvsState, next: LvsState): ClusterInfo[] {
  const index = clusterIndex(next.clusters);
  const found = new Set<ClusterInfo>();
  const ch = next.changes;
  for (const h of changedKeys(prev.hosts, next.hosts, ch?.hosts)) index.byHost.get(h)?.forEach((c) => found.add(c));
  for (const h of changedKeys(prev.keepalived, next.keepalived, ch?.keepalived))
    index.byHost.get(h)?.forEach((c) => found.add(c));
  for (const id of changedKeys(prev.replication, next.replication, ch?.replication)) {
    const c = index.byPair.get(id);
    if (c) found.add(c);
  }
  return [...found].sort((a, b) => index.order.get(a)! - index.order.get(b)!);
}

/** Hosts that went down or came back (the first reading after start is a baseline, not a transition). */
function hostEvents(prev: LvsState, next: LvsState, ev: EmitEvent): void {
  for (const name of changedKeys(prev.hosts, next.hosts, next.changes?.hosts)) {
    const h = next.hosts[name];
    const p = prev.hosts[name];
    // `slow` is a host that still answers.
    if (!h || !p || p === h || p.status === h.status || p.status === 'connecting') continue;
    if (h.status === 'down')
      ev({
        severity: 'critical',
        host: h.name,
        kind: 'host-down',
        message: `${h.name} down: ${h.error?.kind ?? ''} ${h.error?.message ?? ''}`.trim(),
      });
    else if (p.status === 'down')
      ev({ severity: 'info', host: h.name, kind: 'host-up', message: `${h.name} up again` });
  }
}

/** VRRP transitions of the cluster's instances, and its VRRP alerts that began or ended. */
function vrrpEvents(
  prev: LvsState,
  next: LvsState,
  cluster: ClusterInfo,
  lastKnownVrrp: Map<string, string>,
  ev: EmitEvent,
): void {
  for (const r of vrrpRows(prev, cluster)) {
    const id = `${r.director}/${r.instance}`;
    if (!lastKnownVrrp.has(id) && r.state !== 'UNKNOWN' && r.state !== 'UNREACHABLE') lastKnownVrrp.set(id, r.state);
  }
  for (const r of vrrpRows(next, cluster)) {
    if (r.state === 'UNKNOWN' || r.state === 'UNREACHABLE') continue;
    const id = `${r.director}/${r.instance}`;
    const was = lastKnownVrrp.get(id);
    lastKnownVrrp.set(id, r.state);
    if (was !== undefined && was !== r.state)
      ev({
        severity: r.state === 'MASTER' || r.state === 'BACKUP' ? 'warn' : 'critical',
        cluster: cluster.name,
        host: r.director,
        kind: 'vrrp-transition',
        message: `${r.director} ${r.instance} ${was} → ${r.state}`,
      });
  }
  // Alerts compared as values: the same kind and message is the same alert.
  const before = vrrpAlerts(prev, cluster);
  const after = vrrpAlerts(next, cluster);
  const same = (a: VrrpAlert) => (b: VrrpAlert) => a.kind === b.kind && a.message === b.message;
  for (const a of after)
    if (!before.some(same(a)))
      ev({ severity: 'critical', cluster: cluster.name, kind: `${a.kind}-begin`, message: a.message });
  for (const a of before)
    if (!after.some(same(a)))
      ev({ severity: 'info', cluster: cluster.name, kind: `${a.kind}-end`, message: `resolved: ${a.message}` });
}

/** Replication pairs whose lag level moved between ok, warn and critical. */
function replicationEvents(prev: LvsState, next: LvsState, cluster: ClusterInfo, ev: EmitEvent): void {
  const before = new Map(replicationRows(prev, cluster).map((r) => [r.id, r]));
  for (const r of replicationRows(next, cluster)) {
    const o = before.get(r.id);
    if (o && o.level !== r.level && r.level !== 'unknown' && o.level !== 'unknown')
      ev({
        severity: r.level === 'ok' ? 'info' : r.level,
        cluster: cluster.name,
        kind: 'replication-lag',
        message: `replication ${r.name}: ${o.level} → ${r.level} (lag ${r.lagSeconds ?? '?'}s)`,
      });
  }
}

/** VRRP and replication events, judged again only for the clusters whose own entries changed. */
function clusterEvents(prev: LvsState, next: LvsState, lastKnownVrrp: Map<string, string>, ev: EmitEvent): void {
  const hostChanged = (h: string) => prev.hosts[h] !== next.hosts[h];
  for (const cluster of touchedClusters(prev, next)) {
    // Only clusters whose own entries changed are judged again: the cost of a poll does not grow with the fleet.
    const directors = directorsOf(cluster);
    if (directors.some((h) => hostChanged(h) || prev.keepalived[h] !== next.keepalived[h]))
      vrrpEvents(prev, next, cluster, lastKnownVrrp, ev);
    if (
      cluster.replication.some(
        (r) => prev.replication[r.id] !== next.replication[r.id] || hostChanged(r.source) || hostChanged(r.replica),
      )
    )
      replicationEvents(prev, next, cluster, ev);
  }
}

/** NFS mounts whose health changed, or that became writable or not writable by the web user. */
function nfsEvents(prev: LvsState, next: LvsState, now: number, ev: EmitEvent): void {
  for (const id of changedKeys(prev.nfs, next.nfs, next.changes?.nfs)) {
    const m = next.nfs[id];
    const o = prev.nfs[id];
    if (!m) continue;
    // UNKNOWN is "could not look" (the host is down, which has its own event), not a state of the mount.
    if (o?.health && m.health && o.health !== m.health && o.health !== 'UNKNOWN' && m.health !== 'UNKNOWN')
      ev({
        severity: m.health === 'OK' ? 'info' : m.health === 'SLOW' ? 'warn' : 'critical',
        host: m.host,
        kind: 'nfs-state',
        message: `NFS ${m.host}:${m.mountpoint} ${o.health} → ${m.health}: ${m.reason ?? ''}`,
      });
    // Writable ↔ not writable by the web user; "not checked" in between is no change.
    const wasOk = o?.writeSettled?.ok;
    const isOk = m.writeSettled?.ok;
    if (typeof isOk === 'boolean' && typeof wasOk === 'boolean' && isOk !== wasOk) {
      const mount = next.clusters.flatMap((c) => c.nfs).find((x) => x.id === id);
      const reason = mount ? nfsWriteRow(next, mount, now).reason : (m.write?.reason ?? '');
      ev({
        severity: isOk ? 'info' : 'critical',
        host: m.host,
        kind: isOk ? 'nfs-writable' : 'nfs-not-writable',
        message: `NFS ${m.host}:${m.mountpoint} ${isOk ? 'writable by the web user again' : 'not writable by the web user'}: ${reason}`,
      });
    }
  }
}

/**
 * Events derived from two successive states: what an operator wants in the timeline. `lastKnownVrrp` remembers each
 * instance's last known state across calls, so MASTER → (no answer) → FAULT is still one MASTER → FAULT event.
 * Each step looks at the keys the last write changed (see `changedKeys`): a poll changes one host, whatever the
 * fleet's size.
 */
export function diffEvents(
  prev: LvsState,
  next: LvsState,
  now: number,
  lastKnownVrrp = new Map<string, string>(),
): LvsEvent[] {
  const out: LvsEvent[] = [];
  const ev: EmitEvent = (e) => out.push({ at: now, ...e });
  hostEvents(prev, next, ev);
  ipvsEvents(prev, next, ev);
  clusterEvents(prev, next, lastKnownVrrp, ev);
  healthEvents(prev, next, now, ev);
  nfsEvents(prev, next, now, ev);
  drainEvents(prev, next, ev);
  return out;
}

/**
 * Service-health alerts that began or ended: judged again only for the clusters of directors whose probes, checker
 * view or table changed. `rs-down` begins when probes call a weighted server down, `rs-down-end` when it answers or
 * leaves rotation.
 */
function healthEvents(prev: LvsState, next: LvsState, now: number, ev: EmitEvent): void {
  const ch = next.changes;
  const touched = new Set([
    ...changedKeys(prev.probes, next.probes, ch?.probes),
    ...changedKeys(prev.keepalived, next.keepalived, ch?.keepalived),
    ...changedKeys(prev.ipvs, next.ipvs, ch?.ipvs),
    ...changedKeys(prev.sync, next.sync, ch?.sync),
  ]);
  if (touched.size === 0) return;
  const id = (a: HealthAlert) => `${a.kind} ${a.director} ${a.service} ${a.realServer ?? ''}`;
  for (const cluster of next.clusters) {
    if (!cluster.directors.some((d) => touched.has(d))) continue;
    const before = new Map(healthAlerts(prev, cluster, now).map((a) => [id(a), a]));
    const after = new Map(healthAlerts(next, cluster, now).map((a) => [id(a), a]));
    for (const [k, a] of after)
      if (!before.has(k))
        ev({
          severity: a.severity,
          cluster: cluster.name,
          host: a.director,
          kind: `${a.kind}-begin`,
          message: a.message,
        });
    for (const [k, a] of before)
      if (!after.has(k))
        ev({
          severity: 'info',
          cluster: cluster.name,
          host: a.director,
          kind: `${a.kind}-end`,
          message: `resolved: ${a.message}`,
        });
  }
}
