import { spawn } from 'node:child_process';
import { OutputCollector } from './output-collector.js';
import type { ConnectionState, ExecOptions, ExecResult, Transport } from './transport.js';
import { classifySshError, transportError, type TransportError, type TransportFailure } from './transport-error.js';

/** How long the pipes may stay open after the command itself exited. */
const EXIT_DRAIN_MS = 500;

/** Kill a whole process group (the command and everything it started); a gone group is not an error. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Runs commands on this machine, for an operator sitting on a director. */
export class LocalTransport implements Transport {
  readonly host: string;
  state: ConnectionState = 'up';
  lastError: TransportError | undefined;
  private readonly sudo: boolean;
  /** Commands still running, each with the function that fails it (and kills its group). */
  private readonly running = new Map<number, (err: TransportFailure) => void>();

  constructor(host: string, options: { readonly sudo?: boolean } = {}) {
    this.host = host;
    this.sudo = options.sudo ?? false;
  }

  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const full = this.sudo ? ['sudo', '-n', '--', ...argv] : [...argv];
    const [file, ...args] = full;
    if (!file) return Promise.reject(transportError('parse', this.host, 'exec', 'empty command'));
    if (this.state === 'closed') return Promise.reject(transportError('closed', this.host, 'exec', 'transport closed'));
    return new Promise((resolve, reject) => this.spawnCommand(file, args, options, resolve, reject));
  }

  private spawnCommand(
    file: string,
    args: readonly string[],
    options: ExecOptions,
    resolve: (r: ExecResult) => void,
    reject: (err: TransportFailure) => void,
  ): void {
    const output = new OutputCollector(this.host, options);
    // Its own process group, so a timeout ends the command and every process it started (a grandchild holding
    // stdout would otherwise keep the pipe, and the promise, open).
    const child = spawn(file, args, {
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    let settled = false;
    const done = () => {
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) this.running.delete(pid);
    };
    // A failure settles at once and kills the group; it never waits for the pipes to close.
    const fail = (err: TransportFailure) => {
      if (settled) return;
      done();
      output.stop();
      killGroup(pid);
      child.stdout.destroy();
      child.stderr.destroy();
      this.lastError = err.detail;
      reject(err);
    };
    if (pid !== undefined) this.running.set(pid, fail);
    const timer = setTimeout(
      () => fail(transportError('timeout', this.host, 'exec', `command did not finish within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      const overflow = output.stdout(chunk);
      if (overflow) fail(overflow);
    });
    child.stderr.on('data', (chunk: Buffer) => output.stderr(chunk));
    // A command that exits without reading its stdin makes our write fail with EPIPE: that is its business, not a
    // failure of the transport. Pipe errors on the output side end with the 'close' below.
    child.stdin.on('error', () => undefined);
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);
    child.on('error', (err) => fail(classifySshError(err, this.host, `exec ${file}`)));
    // The command exited; a process it left behind may still hold its stdout open. After a moment, end the
    // leftovers: their ends of the pipes close, what is in the pipes is read, and 'close' answers with all of it.
    child.on('exit', () => {
      setTimeout(() => {
        if (!settled) killGroup(pid);
      }, EXIT_DRAIN_MS).unref();
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      done();
      resolve(output.result(code, signal));
    });
    child.stdin.end(options.stdin ?? '');
  }

  /** Ends every command still running (their whole process groups). */
  async close(): Promise<void> {
    this.state = 'closed';
    for (const fail of [...this.running.values()])
      fail(transportError('closed', this.host, 'exec', 'transport closed while the command ran'));
  }
}
