import { readFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { ResolvedConfig } from '../config/load-config.js';
import { escapeLogText } from '../debug-log.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { createFleet, type Fleet } from '../poller/fleet.js';
import { JumpHostSampler } from '../poller/jump-host-sampler.js';
import { loadAccessTokens } from './access-token.js';
import { listenHttp } from './http-listener.js';
import { operatorActionsFactory } from './operator-actions.js';
import { RefreshGate } from './refresh-gate.js';
import { ServeHub } from './serve-hub.js';
import { DEFAULT_SERVE_LIMITS, type ServeLimits } from './serve-limits.js';
import { closeServer, listenUnix, SocketInUseError } from './serve-socket.js';

export interface ServeOptions {
  readonly socket?: string;
  /** `HOST:PORT`: HTTP with /metrics and attach (an Upgrade to lvstop-attach with a bearer token). */
  readonly listen?: string;
  /** `HOST:PORT`: /metrics only, no attach, no token. */
  readonly metricsListen?: string;
  /** PEM files: every TCP listener speaks TLS. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tokenFile?: string;
  readonly allowActions?: boolean;
  /** Octal permission bits of the socket file: who may attach. */
  readonly socketMode: number;
  readonly site: string;
  readonly acceptNew?: boolean;
  readonly readOnly?: boolean;
  readonly interval?: number;
  readonly limits?: Partial<ServeLimits>;
  readonly log?: (line: string) => void;
  /** Record the fleet (default on) into this directory (default: the config's recordDir). */
  readonly record?: boolean;
  readonly recordDir?: string;
}

/** A running serve: its fleet (one set of connections), the bound TCP ports, and how to stop it. */
export interface RunningServe {
  readonly fleet: Fleet;
  readonly hub: ServeHub;
  readonly port?: number;
  readonly metricsPort?: number;
  stop(): Promise<void>;
}

export class ServeUsageError extends Error {}

export function parseListen(text: string, option = '--listen'): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new ServeUsageError(`${option}: expected HOST:PORT, got "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

const stamp = () => new Date().toISOString();
const stderrLog = (line: string) => process.stderr.write(`${stamp()} lvstop serve: ${line}\n`);

async function readPem(option: string, file: string): Promise<Buffer> {
  return readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new ServeUsageError(`${option} ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
}

/** The certificate and key, checked now (a key that does not match, or a file that is not PEM, is a usage error). */
async function loadTls(options: ServeOptions): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!options.tlsCert && !options.tlsKey) return undefined;
  if (!options.tlsCert || !options.tlsKey) throw new ServeUsageError('--tls-cert and --tls-key go together');
  if (!options.listen && !options.metricsListen)
    throw new ServeUsageError('--tls-cert is for TCP listeners: give --listen or --metrics-listen too');
  const tls = { cert: await readPem('--tls-cert', options.tlsCert), key: await readPem('--tls-key', options.tlsKey) };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new ServeUsageError(`--tls-cert/--tls-key: ${(err as Error).message}`);
  }
  return tls;
}

/** What serve's options ask for, checked and loaded before anything starts. */
interface ServeInputs {
  readonly address?: { host: string; port: number };
  readonly metricsAddress?: { host: string; port: number };
  readonly tls?: { cert: Buffer; key: Buffer };
  readonly tokens: Awaited<ReturnType<typeof loadAccessTokens>>;
  readonly limits: ServeLimits;
}

/** Check the options and load the TLS files and tokens: bad input throws ServeUsageError before anything starts. */
async function serveInputs(options: ServeOptions, log: (line: string) => void): Promise<ServeInputs> {
  if (!options.socket && !options.listen && !options.metricsListen)
    throw new ServeUsageError('give --socket PATH, --listen HOST:PORT or --metrics-listen HOST:PORT');
  if (options.listen && !options.tokenFile)
    throw new ServeUsageError('--listen needs --token-file: a TCP listener only accepts attaches with a token');
  const address = options.listen ? parseListen(options.listen) : undefined;
  const metricsAddress = options.metricsListen ? parseListen(options.metricsListen, '--metrics-listen') : undefined;
  const tls = await loadTls(options);
  const tokens = options.tokenFile
    ? await loadAccessTokens(options.tokenFile).catch((err: Error) => {
        throw new ServeUsageError(err.message);
      })
    : [];
  const limits = { ...DEFAULT_SERVE_LIMITS, ...options.limits };
  if (options.socket && (options.socketMode & 0o002) !== 0)
    log(
      `warning: --socket-mode ${options.socketMode.toString(8)} lets every local user attach (others may write the socket); use 660 and the socket's group`,
    );
  return {
    ...(address ? { address } : {}),
    ...(metricsAddress ? { metricsAddress } : {}),
    ...(tls ? { tls } : {}),
    tokens,
    limits,
  };
}

/** The fleet and what serves it (hub, metrics, jump-host sampler), not started, with how to shut them down. */
interface ServeParts {
  readonly fleet: Fleet;
  readonly hub: ServeHub;
  readonly metricsText: () => Promise<{ contentType: string; body: string }>;
  readonly sampler: JumpHostSampler;
  readonly allowActions: boolean;
  /** The listeners opened so far: the shutdown closes them. */
  readonly servers: Server[];
  shutdown(): Promise<void>;
}

function serveParts(
  resolved: ResolvedConfig,
  options: ServeOptions,
  limits: ServeLimits,
  log: (line: string) => void,
): ServeParts {
  const fleet = createFleet(resolved, {
    ...(options.acceptNew ? { acceptNew: true } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(options.interval ? { pollIntervalMs: options.interval } : {}),
    writeEventLog: true,
  });
  const state = fleet.store.getState();
  const allowActions = Boolean(options.allowActions) && !state.readOnly;
  const refreshGate = new RefreshGate(state.pollIntervalMs, () => void fleet.refreshAll());
  const hub = new ServeHub({
    site: options.site,
    seed: {
      clusters: state.clusters,
      hosts: Object.keys(state.hosts),
      pollIntervalMs: state.pollIntervalMs,
      readOnly: !allowActions,
    },
    store: fleet.store,
    ...(allowActions ? { actionsFor: operatorActionsFactory(resolved, fleet) } : {}),
    refresh: () => void refreshGate.request(),
    watch: (clusters) => fleet.store.getState().setConnectionsWatched(clusters),
    log,
    limits,
  });
  const metrics = createFleetMetrics(fleet.store);
  const metricsText = async () => ({
    contentType: metrics.registry.contentType,
    body: await metrics.registry.metrics(),
  });
  const sampler = new JumpHostSampler(fleet.store, Math.max(2000, state.pollIntervalMs));
  const servers: Server[] = [];
  const shutdown = async () => {
    // Viewers first: a server closes only once its connections are gone.
    hub.close();
    sampler.stop();
    for (const s of servers) await closeServer(s);
    metrics.close();
    await fleet.stop();
  };
  return { fleet, hub, metricsText, sampler, allowActions, servers, shutdown };
}

/** Open the socket and TCP listeners asked for; on a failure, shut down what was opened and throw. */
async function openListeners(
  parts: ServeParts,
  options: ServeOptions,
  inputs: ServeInputs,
  log: (line: string) => void,
): Promise<{ port?: number; metricsPort?: number }> {
  const { hub, servers } = parts;
  const { address, metricsAddress, tls, tokens, limits } = inputs;
  const scheme = tls ? 'https' : 'http';
  const listenTcp = async (at: { host: string; port: number }, attach: boolean): Promise<number> => {
    const server = await listenHttp({
      address: at,
      ...(tls ? { tls } : {}),
      metrics: parts.metricsText,
      ...(attach ? { attach: { tokens, onAttach: (s, via) => hub.attach(s, { via }) } } : {}),
      limits,
      log,
    });
    servers.push(server);
    const bound = server.address();
    return typeof bound === 'object' && bound ? bound.port : at.port;
  };
  const ports: { port?: number; metricsPort?: number } = {};
  try {
    if (options.socket) {
      const path = options.socket;
      servers.push(await listenUnix(path, options.socketMode, (s) => hub.attach(s, { via: `unix ${path}` })));
      log(`attach socket ${path} (mode ${options.socketMode.toString(8).padStart(4, '0')})`);
    }
    if (address) {
      ports.port = await listenTcp(address, true);
      log(`${scheme}://${address.host}:${ports.port}/metrics, attach with a token on the same address`);
    }
    if (metricsAddress) {
      ports.metricsPort = await listenTcp(metricsAddress, false);
      log(`${scheme}://${metricsAddress.host}:${ports.metricsPort}/metrics (metrics only, no token)`);
    }
  } catch (err) {
    await parts.shutdown();
    throw err;
  }
  return ports;
}

/** Start serve: listeners first (bad input throws ServeUsageError or SocketInUseError), then polling. */
export async function startServe(resolved: ResolvedConfig, options: ServeOptions): Promise<RunningServe> {
  const sink = options.log ?? stderrLog;
  // Every line may hold what a client sent (a name, a request): none may break the line.
  const log = (line: string) => sink(escapeLogText(line));
  const inputs = await serveInputs(options, log);
  const parts = serveParts(resolved, options, inputs.limits, log);
  const { fleet, hub, sampler, allowActions } = parts;
  const { port, metricsPort } = await openListeners(parts, options, inputs, log);
  fleet.start();
  sampler.start();
  // Recording never holds up serve: a directory it cannot write is one warning in the log.
  const recorder =
    options.record === false
      ? undefined
      : await import('../record/start-recording.js').then((m) =>
          m.startRecording(resolved, fleet.store, {
            site: options.site,
            ...(options.recordDir ? { dir: options.recordDir } : {}),
            onWarning: (m) => log(`warning: ${m}`),
          }),
        );
  if (recorder?.recording) log(`recording into ${recorder.file}`);
  const state = fleet.store.getState();
  log(
    `polling ${Object.keys(state.hosts).length} host(s) every ${state.pollIntervalMs} ms, actions ${allowActions ? 'allowed' : 'refused'}, at most ${inputs.limits.maxClients} consoles`,
  );
  let stopping: Promise<void> | undefined;
  return {
    fleet,
    hub,
    ...(port === undefined ? {} : { port }),
    ...(metricsPort === undefined ? {} : { metricsPort }),
    stop: () => (stopping ??= (recorder?.stop() ?? Promise.resolve()).then(parts.shutdown)),
  };
}

/** Run serve until `stopSignal` resolves (SIGTERM/SIGINT); returns the exit code. */
export async function runServe(
  resolved: ResolvedConfig,
  options: ServeOptions & { readonly stopSignal: Promise<string> },
): Promise<number> {
  const log = options.log ?? stderrLog;
  const serve = await startServe(resolved, options);
  const signal = await options.stopSignal;
  log(`${signal}: closing SSH connections and listeners`);
  await serve.stop();
  log('closed');
  return 0;
}

export { SocketInUseError };
