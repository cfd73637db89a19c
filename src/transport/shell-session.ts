import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { ExecResult } from './transport.js';
import { transportError, type TransportFailure } from './transport-error.js';

/**
 * One long-lived `sh` on a host, fed one script at a time over stdin. Each script runs in a subshell (so `exit` and
 * traps stay inside it) and ends with a nonce marker carrying its exit status. A poll then costs the commands it runs,
 * not a new SSH session, a login shell and their processes every second; on a busy director that is most of the cost.
 * A script that times out or overflows closes the session; the next script opens a new one.
 */
export class ShellSession {
  private readonly stream: ClientChannel;
  private readonly host: string;
  private buffer = '';
  private closed = false;
  private pending:
    | {
        marker: RegExp;
        resolve: (r: ExecResult) => void;
        reject: (e: TransportFailure) => void;
        started: number;
        cap: number;
        timer: NodeJS.Timeout;
        onStdout: ((chunk: Buffer) => void) | undefined;
      }
    | undefined;

  constructor(stream: ClientChannel, host: string) {
    this.stream = stream;
    this.host = host;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.stderr.on('data', () => undefined);
    stream.on('close', () => {
      this.closed = true;
      this.fail(transportError('closed', this.host, 'shell', 'remote shell ended'));
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  run(
    script: string,
    timeoutMs: number,
    maxOutputBytes: number,
    onStdout?: (chunk: Buffer) => void,
  ): Promise<ExecResult> {
    if (this.closed) return Promise.reject(transportError('closed', this.host, 'shell', 'remote shell ended'));
    if (this.pending) return Promise.reject(transportError('exit-code', this.host, 'shell', 'remote shell is busy'));
    const nonce = randomBytes(8).toString('hex');
    return new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(transportError('timeout', this.host, 'exec', `command did not finish within ${timeoutMs} ms`));
        this.close();
      }, timeoutMs);
      this.pending = {
        marker: new RegExp(`(?:^|\\n)@@LVSTOP-DONE:${nonce}:(\\d+)\\n`),
        resolve,
        reject,
        started: Date.now(),
        cap: maxOutputBytes,
        timer,
        onStdout,
      };
      this.buffer = '';
      this.stream.write(`(\n${script}\n) </dev/null\necho; echo "@@LVSTOP-DONE:${nonce}:$?"\n`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.close();
  }

  private onData(chunk: Buffer): void {
    const p = this.pending;
    if (!p) return;
    p.onStdout?.(chunk);
    this.buffer += chunk.toString('utf8');
    if (this.buffer.length > p.cap) {
      this.fail(transportError('parse', this.host, 'exec', `output exceeded ${p.cap} bytes`));
      this.close();
      return;
    }
    const m = p.marker.exec(this.buffer);
    if (!m) return;
    // The newline before the marker is the framing `echo`'s, so what precedes it is exactly what the script printed.
    const stdout = this.buffer.slice(0, m.index);
    this.buffer = '';
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve({ stdout, stderr: '', exitCode: Number(m[1]), durationMs: Date.now() - p.started });
  }

  private fail(err: TransportFailure): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(err);
  }
}
