import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResolvedConfig } from '../config/load-config.js';
import { debugLog } from '../debug-log.js';
import { diffEvents } from '../model/events.js';
import { createLvsStore, type LvsStore } from '../store/lvs-store.js';
import type { LvsEvent } from '../store/store-types.js';
import { LocalTransport } from '../transport/local-transport.js';
import { SshTransport } from '../transport/ssh-transport.js';
import type { Transport } from '../transport/transport.js';
import { clusterInfos, nfsMountId, planHost } from './host-plan.js';
import { HostPoller } from './host-poller.js';
import { NfsProber } from './nfs-prober.js';

export interface FleetOptions {
  readonly acceptNew?: boolean;
  readonly readOnly?: boolean;
  readonly pollIntervalMs?: number;
  /** Append events to the config's event log (the console does; a one-shot snapshot does not). */
  readonly writeEventLog?: boolean;
}

/** Every host's transport, poller and NFS probers, and the store they write. */
export interface Fleet {
  readonly store: LvsStore;
  readonly transports: ReadonlyMap<string, Transport>;
  readonly pollers: ReadonlyMap<string, HostPoller>;
  start(): void;
  refreshAll(): Promise<void>;
  probeNfsAll(): Promise<void>;
  stop(): Promise<void>;
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

async function appendEvents(file: string, events: readonly LvsEvent[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(
    file,
    events.map((e) => JSON.stringify({ ...e, at: new Date(e.at).toISOString() })).join('\n') + '\n',
  );
}

export function createFleet(resolved: ResolvedConfig, options: FleetOptions = {}): Fleet {
  const { config } = resolved;
  const pollIntervalMs = options.pollIntervalMs ?? config.pollIntervalMs;
  const store = createLvsStore({
    clusters: clusterInfos(config),
    hosts: [...resolved.hosts.keys()],
    pollIntervalMs,
    readOnly: options.readOnly ?? config.readOnly,
  });
  const transports = new Map<string, Transport>();
  const pollers = new Map<string, HostPoller>();
  for (const name of resolved.hosts.keys()) {
    const transport = createTransport(resolved, name, options);
    transports.set(name, transport);
    pollers.set(
      name,
      new HostPoller({
        host: name,
        transport,
        plan: planHost(config, name),
        store,
        intervalMs: pollIntervalMs,
        commandTimeoutMs: config.commandTimeoutMs,
      }),
    );
  }
  const probers = config.clusters.flatMap((c) =>
    c.nfs.map(
      (m) =>
        new NfsProber({
          mountId: nfsMountId(m.host, m.mountpoint),
          mountpoint: m.mountpoint,
          transport: transports.get(m.host)!,
          store,
          intervalMs: pollIntervalMs,
          probeTimeoutMs: m.probeTimeoutMs,
        }),
    ),
  );
  let writing = Promise.resolve();
  const lastKnownVrrp = new Map<string, string>();
  const unsubscribe = store.subscribe((next, prev) => {
    const events = diffEvents(prev, next, Date.now(), lastKnownVrrp);
    if (events.length === 0) return;
    next.addEvents(events);
    if (options.writeEventLog)
      writing = writing.then(() => appendEvents(resolved.eventLog, events)).catch(() => undefined);
  });
  return {
    store,
    transports,
    pollers,
    start: () => {
      debugLog('fleet-start', { hosts: [...pollers.keys()].join(','), nfsProbes: probers.length });
      pollers.forEach((p) => p.start());
      probers.forEach((p) => p.start());
    },
    refreshAll: async () => {
      await Promise.all([...pollers.values()].map((p) => p.refreshNow()));
    },
    probeNfsAll: async () => {
      await Promise.all(probers.map((p) => p.probe()));
    },
    stop: async () => {
      unsubscribe();
      // Stop the timers first, then close connections so an in-flight (maybe hung) probe ends at once.
      const stopping = [...[...pollers.values()].map((p) => p.stop()), ...probers.map((p) => p.stop())];
      await Promise.all([...transports.values()].map((t) => t.close()));
      await Promise.all(stopping);
      await writing;
    },
  };
}
