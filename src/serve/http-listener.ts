import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { bearerOf, matchAccessToken, type AccessToken } from './access-token.js';
import { ATTACH_UPGRADE } from './attach-connection.js';
import type { ServeLimits } from './serve-limits.js';
import { SocketInUseError } from './serve-socket.js';

export interface HttpListenerOptions {
  readonly address: { readonly host: string; readonly port: number };
  /** PEM certificate chain and key: the listener speaks TLS (https). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  /** Attach with a bearer token; undefined for a listener that serves /metrics only. */
  readonly attach?: {
    readonly tokens: readonly AccessToken[];
    readonly onAttach: (socket: Socket, via: string) => void;
  };
  readonly limits: Pick<ServeLimits, 'idleTimeoutMs' | 'maxPendingConnections'>;
  readonly log: (line: string) => void;
}

/**
 * An HTTP (or HTTPS) listener: GET /metrics, and attach as an Upgrade to lvstop-attach with a bearer token.
 * Connections that have not attached are bounded: closed after `idleTimeoutMs` without a byte (or without complete
 * headers, or a TLS handshake), and beyond `maxPendingConnections` the oldest is closed, so a flood of idle sockets
 * cannot hold the listener while a Prometheus scrape still gets in.
 */
export async function listenHttp(o: HttpListenerOptions): Promise<HttpServer> {
  const { idleTimeoutMs, maxPendingConnections } = o.limits;
  const timeouts = {
    headersTimeout: idleTimeoutMs,
    requestTimeout: idleTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, idleTimeoutMs),
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      o.metrics().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(`metrics: ${String(err)}\n`),
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end(`lvstop serve: GET /metrics${o.attach ? ', or attach with lvstop attach' : ''}\n`);
  };
  const server: HttpServer = o.tls
    ? createHttpsServer({ ...o.tls, ...timeouts, handshakeTimeout: idleTimeoutMs }, onRequest)
    : createHttpServer(timeouts, onRequest);
  server.timeout = idleTimeoutMs;

  // Sockets the HTTP layer reads (after the TLS handshake on https) that have not attached, oldest first.
  const pending = new Set<Socket>();
  server.on(o.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
    for (const oldest of pending) {
      if (pending.size <= maxPendingConnections) break;
      pending.delete(oldest);
      oldest.destroy();
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const from = req.socket.remoteAddress ?? '?';
    const refuse = (status: string, why: string) => {
      o.log(`refused attach from ${from}: ${why}`);
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`);
    };
    if (!o.attach) return refuse('404 Not Found', 'this address serves /metrics only');
    if (String(req.headers.upgrade).toLowerCase() !== ATTACH_UPGRADE)
      return refuse('400 Bad Request', 'unknown upgrade');
    const presented = bearerOf(req.headers.authorization);
    const token = presented === undefined ? undefined : matchAccessToken(o.attach.tokens, presented);
    if (!token) return refuse('401 Unauthorized', 'wrong or missing token');
    // Attached: the hub's hello timeout and queue limits govern it from here.
    pending.delete(req.socket);
    req.socket.setTimeout(0);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${ATTACH_UPGRADE}\r\nConnection: Upgrade\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    o.attach.onAttach(socket as Socket, `${o.tls ? 'tls' : 'tcp'} ${from} token ${token.name}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new SocketInUseError(`cannot listen on ${o.address.host}:${o.address.port}: ${err.code ?? err.message}`)),
    );
    server.listen(o.address.port, o.address.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  return server;
}
