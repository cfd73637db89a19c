import { createStore, type StoreApi } from 'zustand/vanilla';
import type { IpvsReading } from '../../collectors/ipvs-collector.js';
import { tableRates } from '../../collectors/ipvs-rates.js';
import type { HostInfo } from '../../collectors/host-info.js';
import { shareStructure } from './structural-sharing.js';
import type { ClusterInfo, DirectorIpvs, HostError, HostRuntime } from './store-types.js';

export interface LvsState {
  readonly clusters: readonly ClusterInfo[];
  readonly hosts: Readonly<Record<string, HostRuntime>>;
  readonly ipvs: Readonly<Record<string, DirectorIpvs>>;
  readonly pollIntervalMs: number;
  readonly readOnly: boolean;
  readonly paused: boolean;

  hostAttempt(host: string, at: number): void;
  hostUp(host: string, readAt: number, durationMs: number): void;
  hostDown(host: string, error: HostError, at: number): void;
  tickSkipped(host: string): void;
  setHostInfo(host: string, info: HostInfo): void;
  setIpvs(host: string, reading: IpvsReading, readAt: number): void;
  setPaused(paused: boolean): void;
}

export interface StoreSeed {
  readonly clusters: readonly ClusterInfo[];
  readonly hosts: readonly string[];
  readonly pollIntervalMs: number;
  readonly readOnly: boolean;
}

export type LvsStore = StoreApi<LvsState>;

const mapToRecord = <V>(m: ReadonlyMap<string, V>): Record<string, V> => Object.fromEntries(m);

export function createLvsStore(seed: StoreSeed): LvsStore {
  return createStore<LvsState>()((set, get) => {
    /** Replace one host's runtime, skipping `set` when nothing changed. */
    const patchHost = (name: string, patch: Partial<HostRuntime>) => {
      const prev = get().hosts[name];
      if (!prev) return;
      const next = shareStructure(prev, { ...prev, ...patch });
      if (next !== prev) set({ hosts: { ...get().hosts, [name]: next } });
    };
    return {
      clusters: seed.clusters,
      hosts: Object.fromEntries(seed.hosts.map((name) => [name, { name, status: 'connecting', skippedTicks: 0 }])),
      ipvs: {},
      pollIntervalMs: seed.pollIntervalMs,
      readOnly: seed.readOnly,
      paused: false,

      hostAttempt: (host, at) => patchHost(host, { lastAttemptAt: at }),
      hostUp: (host, readAt, durationMs) => {
        const prev = get().hosts[host];
        if (!prev) return;
        const { error: _dropped, ...rest } = prev;
        const next = shareStructure(prev, { ...rest, status: 'up' as const, readAt, pollDurationMs: durationMs });
        if (next !== prev) set({ hosts: { ...get().hosts, [host]: next } });
      },
      hostDown: (host, error, at) => patchHost(host, { status: 'down', error, lastAttemptAt: at }),
      tickSkipped: (host) => patchHost(host, { skippedTicks: (get().hosts[host]?.skippedTicks ?? 0) + 1 }),
      setHostInfo: (host, info) => patchHost(host, { info }),
      setIpvs: (host, reading, readAt) => {
        const prev = get().ipvs[host];
        let serviceRates: DirectorIpvs['serviceRates'] = {};
        let realServerRates: DirectorIpvs['realServerRates'] = {};
        if (prev && prev.reading.status === 'ok' && reading.status === 'ok' && readAt > prev.readAt) {
          const r = tableRates(prev.reading.table, reading.table, (readAt - prev.readAt) / 1000);
          serviceRates = mapToRecord(r.services);
          realServerRates = mapToRecord(r.realServers);
        }
        const next: DirectorIpvs = { host, readAt, reading, serviceRates, realServerRates };
        const shared = prev ? shareStructure(prev, next) : next;
        if (shared !== prev) set({ ipvs: { ...get().ipvs, [host]: shared } });
      },
      setPaused: (paused) => {
        if (get().paused !== paused) set({ paused });
      },
    };
  });
}
