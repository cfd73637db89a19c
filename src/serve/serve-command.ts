import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ResolvedConfig } from '../config/load-config.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { createFleet, type Fleet } from '../poller/fleet.js';
import { JumpHostSampler } from '../poller/jump-host-sampler.js';
import { loadAccessTokens, matchAccessToken, bearerOf, type AccessToken } from './access-token.js';
import { operatorActionsFactory } from './operator-actions.js';
import { ServeHub } from './serve-hub.js';
import { closeServer, listenUnix, SocketInUseError } from './serve-socket.js';

import { ATTACH_UPGRADE } from './attach-connection.js';

export interface ServeOptions {
  readonly socket?: string;
  /** `HOST:PORT`: HTTP with /metrics and attach (an Upgrade to lvstop-attach with a bearer token). */
  readonly listen?: string;
  readonly tokenFile?: string;
  readonly allowActions?: boolean;
  /** Octal permission bits of the socket file: who may attach. */
  readonly socketMode: number;
  readonly site: string;
  readonly acceptNew?: boolean;
  readonly readOnly?: boolean;
  readonly interval?: number;
  readonly log?: (line: string) => void;
}

/** A running serve: its fleet (one set of connections), the bound TCP port, and how to stop it. */
export interface RunningServe {
  readonly fleet: Fleet;
  readonly hub: ServeHub;
  readonly port?: number;
  stop(): Promise<void>;
}

export class ServeUsageError extends Error {}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new ServeUsageError(`--listen: expected HOST:PORT, got "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

const stamp = () => new Date().toISOString();
const stderrLog = (line: string) => process.stderr.write(`${stamp()} lvstop serve: ${line}\n`);

async function listenHttp(
  address: { host: string; port: number },
  tokens: readonly AccessToken[],
  metricsText: () => Promise<{ contentType: string; body: string }>,
  onAttach: (socket: Socket, via: string) => void,
  log: (line: string) => void,
): Promise<HttpServer> {
  const server = createHttpServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      metricsText().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(`metrics: ${String(err)}\n`),
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end('lvstop serve: GET /metrics, or attach with lvstop attach\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string, why: string) => {
      log(`refused attach from ${req.socket.remoteAddress ?? '?'}: ${why}`);
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`);
    };
    if (String(req.headers.upgrade).toLowerCase() !== ATTACH_UPGRADE)
      return refuse('400 Bad Request', 'unknown upgrade');
    const presented = bearerOf(req.headers.authorization);
    const token = presented === undefined ? undefined : matchAccessToken(tokens, presented);
    if (!token) return refuse('401 Unauthorized', 'wrong or missing token');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${ATTACH_UPGRADE}\r\nConnection: Upgrade\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    onAttach(socket as Socket, `tcp ${req.socket.remoteAddress ?? '?'} token ${token.name}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new SocketInUseError(`cannot listen on ${address.host}:${address.port}: ${err.code ?? err.message}`)),
    );
    server.listen(address.port, address.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  return server;
}

/** Start serve: listeners first (bad input throws ServeUsageError or SocketInUseError), then polling. */
export async function startServe(resolved: ResolvedConfig, options: ServeOptions): Promise<RunningServe> {
  const log = options.log ?? stderrLog;
  if (!options.socket && !options.listen) throw new ServeUsageError('give --socket PATH, --listen HOST:PORT or both');
  if (options.listen && !options.tokenFile)
    throw new ServeUsageError('--listen needs --token-file: a TCP listener only accepts attaches with a token');
  const address = options.listen ? parseListen(options.listen) : undefined;
  const tokens = options.tokenFile
    ? await loadAccessTokens(options.tokenFile).catch((err: Error) => {
        throw new ServeUsageError(err.message);
      })
    : [];

  const fleet = createFleet(resolved, {
    ...(options.acceptNew ? { acceptNew: true } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(options.interval ? { pollIntervalMs: options.interval } : {}),
    writeEventLog: true,
  });
  const state = fleet.store.getState();
  const allowActions = Boolean(options.allowActions) && !state.readOnly;
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
    refresh: () => void fleet.refreshAll(),
    log,
  });
  const metrics = createFleetMetrics(fleet.store);
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
  let port: number | undefined;
  try {
    if (options.socket) {
      const path = options.socket;
      servers.push(await listenUnix(path, options.socketMode, (s) => hub.attach(s, { via: `unix ${path}` })));
      log(`attach socket ${path} (mode ${options.socketMode.toString(8).padStart(4, '0')})`);
    }
    if (address) {
      const http = await listenHttp(
        address,
        tokens,
        async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
        (s, via) => hub.attach(s, { via }),
        log,
      );
      servers.push(http);
      const bound = http.address();
      port = typeof bound === 'object' && bound ? bound.port : address.port;
      log(`http://${address.host}:${port}/metrics, attach with a token on the same address`);
    }
  } catch (err) {
    await shutdown();
    throw err;
  }
  fleet.start();
  sampler.start();
  log(
    `polling ${Object.keys(state.hosts).length} host(s) every ${state.pollIntervalMs} ms, actions ${allowActions ? 'allowed' : 'refused'}`,
  );
  let stopping: Promise<void> | undefined;
  return { fleet, hub, ...(port === undefined ? {} : { port }), stop: () => (stopping ??= shutdown()) };
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
