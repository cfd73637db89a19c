import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { OutputCollector } from './output-collector.js';
import type { ExecResult, ShellFunction } from './transport.js';
import { transportError, type TransportFailure } from './transport-error.js';

/** Poll functions a shell keeps defined. */
const MAX_DEFINED = 8;

/**
 * One long-lived shell on a host, fed one script at a time over stdin. Each script runs in a subshell (so `exit` and
 * traps stay inside it), or `inline` in the shell itself when it is written as a function that returns (a poll's
 * section script: not even a fork), and ends with a nonce marker carrying its exit status. A poll then costs the
 * commands it runs, not a new SSH session, a login shell and their processes every second; on a busy director that is
 * most of the cost.
 * A script that times out or overflows closes the session; the next script opens a new one.
 */
export class ShellSession {
  private readonly stream: ClientChannel;
  private readonly host: string;
  /** What the running script printed so far, and the last few characters of it where a marker may start. */
  private chunks: string[] = [];
  private carry = '\n';
  private decoder = new StringDecoder('utf8');
  private closed = false;
  /** Shell functions this shell has, least recently used first. */
  private readonly defined = new Set<string>();
  private pending:
    | {
        marker: RegExp;
        markerLength: number;
        resolve: (r: ExecResult) => void;
        reject: (e: TransportFailure) => void;
        timer: NodeJS.Timeout;
        /** Counts stdout against its cap and keeps stderr; stdout itself is kept here, as text. */
        output: OutputCollector;
      }
    | undefined;

  constructor(stream: ClientChannel, host: string) {
    this.stream = stream;
    this.host = host;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.stderr.on('data', (chunk: Buffer) => this.pending?.output.stderr(chunk));
    // A channel error ends the session like a close; without a listener it would take the process down.
    stream.on('error', (err: Error) => {
      this.fail(transportError('closed', this.host, 'shell', `remote shell failed: ${err.message}`));
      this.close();
    });
    stream.stderr.on('error', () => undefined);
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
    inline = false,
    define?: ShellFunction,
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
        marker: new RegExp(`\\n@@LVSTOP-DONE:${nonce}:(\\d+)\\n`),
        markerLength: `\n@@LVSTOP-DONE:${nonce}:`.length + 12,
        resolve,
        reject,
        timer,
        output: new OutputCollector(this.host, { maxOutputBytes, onStdout }, { keepStdout: false }),
      };
      this.resetOutput();
      const body = inline ? `{\n${script}\n} </dev/null` : `(\n${script}\n) </dev/null`;
      this.stream.write(
        `${this.definitionFor(define)}${body}\nlvstop_status=$?; echo; echo "@@LVSTOP-DONE:${nonce}:$lvstop_status"\n`,
      );
    });
  }

  /**
   * The definition to send before a script that calls `define`: empty when this shell has it. A shell keeps the last
   * few (a poll alternates between a handful of variants); older ones are unset.
   */
  private definitionFor(define: ShellFunction | undefined): string {
    if (!define) return '';
    if (this.defined.has(define.name)) {
      this.defined.delete(define.name);
      this.defined.add(define.name);
      return '';
    }
    this.defined.add(define.name);
    let unset = '';
    for (const name of this.defined) {
      if (this.defined.size <= MAX_DEFINED) break;
      this.defined.delete(name);
      unset += `unset -f ${name}\n`;
    }
    return `${unset}${define.definition}\n`;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.close();
  }

  private resetOutput(): void {
    this.chunks = [];
    // A virtual newline before the first byte, so a marker at the very start is found like any other.
    this.carry = '\n';
    this.decoder = new StringDecoder('utf8');
  }

  /** Looks for the marker only in the new text and the few characters before it: each byte is scanned about once. */
  private onData(chunk: Buffer): void {
    const p = this.pending;
    if (!p) return;
    const overflow = p.output.stdout(chunk);
    if (overflow) {
      this.fail(overflow);
      this.close();
      return;
    }
    const text = this.decoder.write(chunk);
    const window = this.carry + text;
    const m = p.marker.exec(window);
    if (!m) {
      this.chunks.push(text);
      this.carry = window.slice(-p.markerLength);
      return;
    }
    // The newline before the marker is the framing `echo`'s, so what precedes it is exactly what the script printed.
    const printed = `\n${this.chunks.join('')}`;
    const stdout = (printed.slice(0, printed.length - this.carry.length) + window.slice(0, m.index)).slice(1);
    this.resetOutput();
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve(p.output.result(Number(m[1]), undefined, stdout));
  }

  private fail(err: TransportFailure): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.output.stop();
    p.reject(err);
  }
}
