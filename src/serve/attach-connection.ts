import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIPv4, isIPv6, type Socket } from 'node:net';
import { readJsonLines, writeJsonLine } from './line-reader.js';
import { MAX_LINE_BYTES, PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from './protocol.js';
import type { StateSlices } from './state-diff.js';

export const ATTACH_UPGRADE = 'lvstop-attach';

type Hello = Extract<ServerMessage, { t: 'hello' }>;
type Patch = Extract<ServerMessage, { t: 'patch' }>;
type Reply = Extract<ServerMessage, { t: 'planned' } | { t: 'ran' }>;

export class AttachError extends Error {}

/** One serve this console is attached to: its hello and first full state, then patches and replies. */
export interface AttachConnection {
  readonly target: string;
  readonly hello: Hello;
  readonly state: StateSlices;
  /** Patches from now on (those that arrived before are delivered first); `onClose` once the link is gone. */
  listen(onPatch: (p: Patch) => void, onClose: (why: string) => void): void;
  send(message: ClientMessage): void;
  /** The reply to the plan or run with this id. */
  reply(id: number): Promise<Reply>;
  close(): void;
}

export function isUrl(target: string): boolean {
  return /^https?:\/\//.test(target);
}

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ENOENT'
          ? 'no such socket (is lvstop serve running with --socket there?)'
          : err.code === 'ECONNREFUSED'
            ? 'nothing is listening (a stale socket file: serve is not running)'
            : err.code === 'EACCES'
              ? "permission denied: the socket file's owner, group and mode decide who may attach"
              : err.message;
      reject(new AttachError(`cannot attach to ${path}: ${why}`));
    });
  });
}

/** How to reach a serve over TCP. */
export interface HttpAttachOptions {
  readonly token?: string;
  /** PEM file of the CA that signed serve's certificate (https); default: Node's CAs. */
  readonly caFile?: string;
  /** Send the token over plain http:// to an address that is not loopback. */
  readonly insecureHttp?: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves this machine. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  return isIPv6(h) && (h === '::1' || h === '0:0:0:0:0:0:0:1');
}

/** Why a URL must not be attached to as given, before anything is sent: a token in clear over a network. */
export function plainTokenRefusal(url: URL, options: HttpAttachOptions): string | undefined {
  if (url.protocol !== 'http:' || isLoopback(url.hostname) || options.insecureHttp) return undefined;
  return `refusing to send the token in clear over http:// to ${url.hostname}: use https:// (serve with --tls-cert and --tls-key), or --insecure-http on a network you trust`;
}

/** OpenSSL's verification codes: serve's certificate is not trusted, as opposed to serve being unreachable. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_CA',
]);

function connectionFailure(url: URL, err: NodeJS.ErrnoException, caFile: string | undefined): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'nothing is listening';
  if (UNTRUSTED.has(code))
    return `serve's TLS certificate is not trusted (${code}): ${caFile ? `it is not signed by the CA in ${caFile}` : 'give --ca FILE with the CA that signed it'}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `serve's TLS certificate is not for ${url.hostname}: ${err.message.replace(/^.*?: /, '')}`;
  if (code === 'EPROTO' || code.startsWith('ERR_SSL'))
    return `TLS handshake failed (${err.message.split('\n')[0]}): does serve run with --tls-cert?`;
  if (code === 'ECONNRESET' && url.protocol === 'http:')
    return 'serve closed the connection (if it runs with --tls-cert, attach with https://)';
  return err.message;
}

function connectHttp(url: URL, options: HttpAttachOptions, ca: Buffer | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (https ? 443 : 80),
      path: '/attach',
      headers: {
        connection: 'Upgrade',
        upgrade: ATTACH_UPGRADE,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(ca ? { ca } : {}),
    });
    req.once('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => {
      const why = res.statusCode === 401 ? 'wrong or missing token (--token-file)' : `HTTP ${res.statusCode}`;
      res.resume();
      reject(new AttachError(`cannot attach to ${url.href}: ${why}`));
    });
    req.once('error', (err: NodeJS.ErrnoException) =>
      reject(new AttachError(`cannot attach to ${url.href}: ${connectionFailure(url, err, options.caFile)}`)),
    );
    req.end();
  });
}

/** Check the URL and read the CA before any connection is opened. */
async function openHttp(target: string, options: HttpAttachOptions): Promise<Socket> {
  const url = new URL(target);
  const refusal = plainTokenRefusal(url, options);
  if (refusal) throw new AttachError(`cannot attach to ${url.href}: ${refusal}`);
  const ca = options.caFile
    ? await readFile(options.caFile).catch((err: NodeJS.ErrnoException) => {
        throw new AttachError(`--ca ${options.caFile}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      })
    : undefined;
  return connectHttp(url, options, ca);
}

/** Connect, say hello, and wait for serve's hello and full state (at most `timeoutMs`). */
export async function openAttach(
  target: string,
  options: HttpAttachOptions & { readonly operator: string; readonly timeoutMs?: number },
): Promise<AttachConnection> {
  const socket = isUrl(target) ? await openHttp(target, options) : await connectUnix(target);
  socket.on('error', () => undefined);
  let hello: Hello | undefined;
  const early: Patch[] = [];
  const waiting = new Map<number, (r: Reply) => void>();
  let onPatch: ((p: Patch) => void) | undefined;
  let onClose: ((why: string) => void) | undefined;
  let closedWhy: string | undefined;
  const ready = new Promise<StateSlices>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AttachError(`cannot attach to ${target}: no state within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new AttachError(`cannot attach to ${target}: ${why}`));
    };
    readJsonLines(socket, MAX_LINE_BYTES, (e) => {
      if (!e.ok) {
        closedWhy = e.error;
        return socket.destroy();
      }
      const m = e.value as ServerMessage;
      if (m.t === 'error') closedWhy = `serve said: ${m.message}`;
      else if (m.t === 'hello') {
        if (m.v !== PROTOCOL_VERSION) return fail(`serve speaks protocol ${m.v}, this lvstop ${PROTOCOL_VERSION}`);
        hello = m;
      } else if (m.t === 'state') {
        clearTimeout(timer);
        resolve(m.state);
      } else if (m.t === 'patch') {
        if (onPatch) onPatch(m);
        else early.push(m);
      } else if (m.t === 'planned' || m.t === 'ran') {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
    socket.once('close', () => {
      const why = closedWhy ?? 'serve closed the connection';
      fail(why);
      for (const [id, done] of waiting) done({ t: 'ran', id, ok: false, message: `${target}: ${why}` });
      waiting.clear();
      onClose?.(why);
    });
  });
  writeJsonLine(socket, { t: 'hello', v: PROTOCOL_VERSION, operator: options.operator } satisfies ClientMessage);
  const state = await ready;
  return {
    target,
    hello: hello!,
    state,
    listen(patch, close) {
      onPatch = patch;
      onClose = close;
      for (const p of early.splice(0)) patch(p);
      if (socket.destroyed) close(closedWhy ?? 'serve closed the connection');
    },
    send: (message) => void writeJsonLine(socket, message),
    reply: (id) =>
      socket.destroyed
        ? Promise.resolve({ t: 'ran', id, ok: false, message: `${target}: not connected` })
        : new Promise((resolve) => waiting.set(id, resolve)),
    close: () => socket.end(),
  };
}
