import { HOST_SECTIONS } from '../../collectors/host-info.js';
import { IPVS_SECTIONS } from '../../collectors/ipvs-collector.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { createLvsStore, type LvsStore } from '../store/lvs-store.js';
import { LocalTransport } from '../transport/local-transport.js';
import { SshTransport } from '../transport/ssh-transport.js';
import type { Transport } from '../transport/transport.js';
import { HostPoller } from './host-poller.js';

export interface FleetOptions {
  readonly acceptNew?: boolean;
  readonly readOnly?: boolean;
  readonly pollIntervalMs?: number;
}

/** Every host's transport and poller, and the store they write. */
export interface Fleet {
  readonly store: LvsStore;
  readonly transports: ReadonlyMap<string, Transport>;
  readonly pollers: ReadonlyMap<string, HostPoller>;
  start(): void;
  refreshAll(): Promise<void>;
  stop(): Promise<void>;
}

export function directorHosts(resolved: ResolvedConfig): Set<string> {
  return new Set(resolved.config.clusters.flatMap((c) => c.directors.map((d) => d.host)));
}

export function createTransport(resolved: ResolvedConfig, name: string, options: FleetOptions = {}): Transport {
  const host = resolved.hosts.get(name);
  if (!host) throw new Error(`unknown host ${name}`);
  if (host.transport === 'local') return new LocalTransport(name, { sudo: host.sudo });
  return new SshTransport(host.endpoint, {
    knownHostsFiles: resolved.knownHostsFiles,
    ...(options.acceptNew ? { acceptNewTo: resolved.lvstopKnownHosts } : {}),
    connectTimeoutMs: resolved.config.connectTimeoutMs,
    maxChannels: resolved.config.maxChannelsPerHost,
    sudo: host.sudo,
  });
}

export function createFleet(resolved: ResolvedConfig, options: FleetOptions = {}): Fleet {
  const { config } = resolved;
  const pollIntervalMs = options.pollIntervalMs ?? config.pollIntervalMs;
  const store = createLvsStore({
    clusters: config.clusters.map((c) => ({
      name: c.name,
      mode: c.mode,
      directors: c.directors.map((d) => d.host),
      realServers: c.realServers,
      vips: c.vips,
    })),
    hosts: [...resolved.hosts.keys()],
    pollIntervalMs,
    readOnly: options.readOnly ?? config.readOnly,
  });
  const directors = directorHosts(resolved);
  const transports = new Map<string, Transport>();
  const pollers = new Map<string, HostPoller>();
  for (const name of resolved.hosts.keys()) {
    const transport = createTransport(resolved, name, options);
    transports.set(name, transport);
    const isDirector = directors.has(name);
    pollers.set(
      name,
      new HostPoller({
        host: name,
        transport,
        sections: [...HOST_SECTIONS, ...(isDirector ? IPVS_SECTIONS : [])],
        isDirector,
        store,
        intervalMs: pollIntervalMs,
        commandTimeoutMs: config.commandTimeoutMs,
      }),
    );
  }
  return {
    store,
    transports,
    pollers,
    start: () => pollers.forEach((p) => p.start()),
    refreshAll: async () => {
      await Promise.all([...pollers.values()].map((p) => p.refreshNow()));
    },
    stop: async () => {
      await Promise.all([...pollers.values()].map((p) => p.stop()));
      await Promise.all([...transports.values()].map((t) => t.close()));
    },
  };
}
