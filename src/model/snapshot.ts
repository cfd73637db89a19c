import type { IpvsRates } from '../../collectors/ipvs-rates.js';
import { realServerKey } from '../../collectors/ipvs-types.js';
import type { LvsState } from '../store/lvs-store.js';
import { doctorChecks } from './doctor.js';
import { ipvsDrift } from './ipvs-drift.js';
import { nfsWriteJson, nfsWriteRow } from './nfs-write-view.js';
import { clusterOverview } from './overview.js';
import { replicationRows } from './replication-view.js';
import { vrrpAlerts, vrrpRows } from './vrrp.js';

export interface SnapshotRates {
  readonly connsPerSec: number;
  readonly inPktsPerSec: number;
  readonly outPktsPerSec: number;
  readonly inBytesPerSec: number;
  readonly outBytesPerSec: number;
}

const rates = (r: IpvsRates | undefined): SnapshotRates | null => (r ? { ...r } : null);

/** The whole model the console shows, as plain JSON (the `snapshot --json` contract, documented in the README). */
export function buildSnapshot(state: LvsState, now = Date.now()) {
  return {
    version: 1,
    events: state.events.slice(-50).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    takenAt: new Date(now).toISOString(),
    hosts: Object.values(state.hosts).map((h) => ({
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
    })),
    clusters: state.clusters.map((cluster) => ({
      name: cluster.name,
      mode: cluster.mode,
      vips: cluster.vips,
      overview: clusterOverview(state, cluster, now),
      alerts: vrrpAlerts(state, cluster),
      vrrp: vrrpRows(state, cluster).map((r) => ({
        ...r,
        lastTransition: r.lastTransition ? new Date(r.lastTransition * 1000).toISOString() : null,
        ...(r.lastKnown
          ? {
              lastKnown: {
                ...r.lastKnown,
                readAt: r.lastKnown.readAt === undefined ? null : new Date(r.lastKnown.readAt).toISOString(),
              },
            }
          : {}),
      })),
      drift: ipvsDrift(state, cluster),
      doctor: doctorChecks(state, cluster),
      replication: replicationRows(state, cluster),
      nfs: cluster.nfs.map((m) => {
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
      }),
      directors: cluster.directors.map((host) => {
        const d = state.ipvs[host];
        const reading = d?.reading;
        return {
          host,
          ipvs: !reading
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
                },
          services:
            reading?.status === 'ok'
              ? reading.table.services.map((s) => ({
                  key: s.key,
                  protocol: s.protocol,
                  address: s.address ?? null,
                  port: s.port ?? null,
                  fwmark: s.fwmark ?? null,
                  scheduler: s.scheduler,
                  persistence: s.persistence ?? null,
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
                    rates: rates(d?.realServerRates[`${s.key}|${realServerKey(rs)}`]),
                  })),
                }))
              : [],
        };
      }),
    })),
  };
}

export type Snapshot = ReturnType<typeof buildSnapshot>;
