import type { ResolvedConfig } from '../config/load-config.js';
import { debugLog } from '../debug-log.js';
import { diffEvents } from '../model/events.js';
import { createLvsStore, EVENT_RING_SIZE, type LvsStore } from '../store/lvs-store.js';
import { createTransport } from '../transport/create-transport.js';
import type { Transport } from '../transport/transport.js';
import { clusterInfos, nfsMountId, planHost } from './host-plan.js';
import { appendEvents, readEventTail } from './event-log.js';
import { ConnectGate } from './connect-gate.js';
import { HostPoller } from './host-poller.js';
import { NfsProber } from './nfs-prober.js';
import { DrainWatcher } from './drain-watcher.js';
import { RsProber } from './rs-prober.js';

/** SSH handshakes under way at once across the fleet. */
export const CONCURRENT_HANDSHAKES = 24;
/**
 * Host polls that end within this long of the store's last change land together (see `StoreSeed.commitWindowMs`):
 * 300 hosts at 2 s are 150 polls a second, and each landing costs a copy of the fleet's records and a look at what
 * changed. A poll's data is then at most this much later on screen; the console draws at most 10 frames a second.
 */
export const STORE_COMMIT_WINDOW_MS = 50;

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
  /** One round of real-server probes from every director now (snapshot). */
  probeRealServersAll(): Promise<void>;
  /** Read the connection table now on every director that has a drain to follow. */
  readDrainsAll(): Promise<void>;
  stop(): Promise<void>;
}

/** One transport and one poller per configured host, their handshakes gated and their first polls spread. */
function hostPollers(
  resolved: ResolvedConfig,
  store: LvsStore,
  options: FleetOptions & { readonly pollIntervalMs: number },
): { transports: Map<string, Transport>; pollers: Map<string, HostPoller> } {
  const { config } = resolved;
  const { pollIntervalMs } = options;
  const transports = new Map<string, Transport>();
  const connectGate = new ConnectGate(CONCURRENT_HANDSHAKES);
  // Each host its own share of the interval: 8 hosts poll 250 ms apart (2 s interval), never in one burst that keeps
  // every host of a shared machine (a VM host, a busy jump host) waiting on the others. The first reading of the last
  // host comes up to one interval after the first.
  const spacingMs = pollIntervalMs / Math.max(1, resolved.hosts.size);
  const pollers = new Map<string, HostPoller>();
  for (const name of resolved.hosts.keys()) {
    const firstPollDelayMs = Math.floor(pollers.size * spacingMs);
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
        connectGate,
        firstPollDelayMs,
        phaseMs: firstPollDelayMs,
      }),
    );
  }
  return { transports, pollers };
}

/**
 * Where a host's probes (its NFS mounts', a director's real-server rounds) fall on the clock's grid: half a share after
 * the host's polls (see hostPollers), so that probers of one host in consoles and serves side by side start together.
 */
function probePhase(resolved: ResolvedConfig, pollIntervalMs: number): (host: string) => number {
  const spacingMs = pollIntervalMs / Math.max(1, resolved.hosts.size);
  const hostIndex = new Map([...resolved.hosts.keys()].map((name, i) => [name, i]));
  return (host) => Math.floor(((hostIndex.get(host) ?? 0) + 0.5) * spacingMs);
}

/** One prober per configured NFS mount, over its host's transport (with the write check when configured). */
function nfsProbers(
  resolved: ResolvedConfig,
  transports: ReadonlyMap<string, Transport>,
  store: LvsStore,
  pollIntervalMs: number,
): NfsProber[] {
  const { config } = resolved;
  const phaseOf = probePhase(resolved, pollIntervalMs);
  return config.clusters.flatMap((c) =>
    c.nfs.map(
      (m) =>
        new NfsProber({
          mountId: nfsMountId(m.host, m.mountpoint),
          mountpoint: m.mountpoint,
          transport: transports.get(m.host)!,
          store,
          intervalMs: pollIntervalMs,
          probeTimeoutMs: m.probeTimeoutMs,
          phaseMs: phaseOf(m.host),
          ...(m.writeCheck
            ? {
                write: {
                  dir: m.writePath ?? m.mountpoint,
                  intervalMs: m.writeIntervalMs,
                  ...(m.writeAs ? { user: m.writeAs } : {}),
                },
              }
            : {}),
        }),
    ),
  );
}

/** One real-server prober per director, its rounds on the clock's grid (see probePhase). */
function directorProbers(
  resolved: ResolvedConfig,
  directors: readonly string[],
  transports: ReadonlyMap<string, Transport>,
  store: LvsStore,
  pollIntervalMs: number,
): RsProber[] {
  const phaseOf = probePhase(resolved, pollIntervalMs);
  return directors.map(
    (d) =>
      new RsProber({
        director: d,
        transport: transports.get(d)!,
        store,
        intervalMs: pollIntervalMs,
        phaseMs: phaseOf(d),
      }),
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
    commitWindowMs: STORE_COMMIT_WINDOW_MS,
  });
  const { transports, pollers } = hostPollers(resolved, store, { ...options, pollIntervalMs });
  const probers = nfsProbers(resolved, transports, store, pollIntervalMs);
  const directors = [...new Set(config.clusters.flatMap((c) => c.directors.map((d) => d.host)))];
  const rsProbers = directorProbers(resolved, directors, transports, store, pollIntervalMs);
  const drainWatchers = directors.map(
    (d) => new DrainWatcher({ director: d, transport: transports.get(d)!, store, intervalMs: pollIntervalMs }),
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
      // The Events view opens with what happened before this start; only new transitions are written.
      if (options.writeEventLog)
        writing = writing
          .then(() => readEventTail(resolved.eventLog, EVENT_RING_SIZE))
          .then((before) => store.getState().restoreEvents(before))
          .catch(() => undefined);
      pollers.forEach((p) => p.start());
      probers.forEach((p) => p.start());
      rsProbers.forEach((p) => p.start());
      drainWatchers.forEach((w) => w.start());
    },
    refreshAll: async () => {
      await Promise.all([...pollers.values()].map((p) => p.refreshNow()));
      store.getState().flush();
    },
    probeNfsAll: async () => {
      await Promise.all(probers.map((p) => p.probe()));
      store.getState().flush();
    },
    readDrainsAll: async () => {
      await Promise.all(drainWatchers.map((w) => w.check()));
      store.getState().flush();
    },
    probeRealServersAll: async () => {
      await Promise.all(rsProbers.map((p) => p.probe()));
      store.getState().flush();
    },
    stop: async () => {
      unsubscribe();
      // Stop the timers first, then close connections so an in-flight (maybe hung) probe ends at once.
      const stopping = [
        ...[...pollers.values()].map((p) => p.stop()),
        ...probers.map((p) => p.stop()),
        ...rsProbers.map((p) => p.stop()),
        ...drainWatchers.map((w) => w.stop()),
      ];
      await Promise.all([...transports.values()].map((t) => t.close()));
      await Promise.all(stopping);
      store.getState().flush();
      await writing;
    },
  };
}
