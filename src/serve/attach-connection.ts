import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
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

function connectHttp(url: URL, token: string | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port || 80,
      path: '/attach',
      headers: {
        connection: 'Upgrade',
        upgrade: ATTACH_UPGRADE,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
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
      reject(
        new AttachError(
          `cannot attach to ${url.href}: ${err.code === 'ECONNREFUSED' ? 'nothing is listening' : err.message}`,
        ),
      ),
    );
    req.end();
  });
}

/** Connect, say hello, and wait for serve's hello and full state (at most `timeoutMs`). */
export async function openAttach(
  target: string,
  options: { readonly operator: string; readonly token?: string; readonly timeoutMs?: number },
): Promise<AttachConnection> {
  const socket = isUrl(target) ? await connectHttp(new URL(target), options.token) : await connectUnix(target);
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
