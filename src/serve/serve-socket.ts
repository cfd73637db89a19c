import { lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Why a unix socket path cannot be served. */
export class SocketInUseError extends Error {}

/** True when something accepts connections on the unix socket at `path`. */
function answers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (v: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Listen on a unix socket created with `mode` (no window with wider permissions: the umask is narrowed while it is
 * made). A live socket at the path is refused; a stale one (nothing answers) is replaced; anything else is left.
 */
export async function listenUnix(path: string, mode: number, onConnection: (s: Socket) => void): Promise<Server> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing) {
    if (!existing.isSocket()) throw new SocketInUseError(`${path} exists and is not a socket; not touching it`);
    if (await answers(path)) throw new SocketInUseError(`another lvstop serve is answering on ${path}`);
    await unlink(path);
  }
  const server = createServer(onConnection);
  const umask = process.umask(0o777 & ~mode);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  return server;
}

export function closeServer(server: Server): Promise<void> {
  const closing = new Promise<void>((resolve) => server.close(() => resolve()));
  (server as Partial<{ closeAllConnections(): void }>).closeAllConnections?.();
  return closing;
}
