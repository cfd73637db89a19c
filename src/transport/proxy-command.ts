import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { SshEndpoint } from './endpoint.js';
import { killGroup } from './local-transport.js';

/** Expand an ssh config ProxyCommand's tokens as OpenSSH does: %h host, %p port, %r user, %n alias, %% a percent. */
export function expandProxyCommand(command: string, endpoint: SshEndpoint): string {
  return command.replace(/%([hprn%])/g, (_, token: string) => {
    switch (token) {
      case 'h':
        return endpoint.host;
      case 'p':
        return String(endpoint.port);
      case 'r':
        return endpoint.user;
      case 'n':
        return endpoint.name;
      default:
        return '%';
    }
  });
}

const MAX_PROXY_STDERR = 4096;

/**
 * A ProxyCommand run as the connection's socket: what SSH writes goes to its stdin, what it prints is what SSH reads.
 * It runs in its own process group, ended with the socket (destroy, or the end of the connection), so no proxy
 * process outlives its connection. When it exits first, the socket fails with its exit status and stderr.
 */
export class ProxyCommandSocket extends Duplex {
  readonly command: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(command: string) {
    super();
    this.command = command;
    this.child = spawn('sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const { child } = this;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < MAX_PROXY_STDERR) this.stderr += chunk.toString('utf8').slice(0, MAX_PROXY_STDERR);
    });
    for (const s of [child.stdin, child.stdout, child.stderr]) s.on('error', () => undefined);
    child.on('error', (err) => this.destroy(err));
    // 'close' comes once the command exited and its output is drained: a clean exit ends the stream, a failed one
    // fails it with the status and the last line of stderr (what ssh would print).
    child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      const why = this.stderr.trim().split('\n').slice(-1)[0] ?? '';
      const message = `ProxyCommand \`${command}\` exited ${code ?? signal}${why ? `: ${why}` : ''}`;
      this.destroy(Object.assign(new Error(message), { code: 'EPROXY' }));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.child.stdin.destroyed) return callback();
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.child.stdin.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    killGroup(this.child.pid);
    callback(err);
  }
}
