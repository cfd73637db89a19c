import { spawn } from 'node:child_process';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  type ConnectionState,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './transport.js';
import { classifySshError, transportError, type TransportError } from './transport-error.js';

/** Runs commands on this machine, for an operator sitting on a director. */
export class LocalTransport implements Transport {
  readonly host: string;
  state: ConnectionState = 'up';
  lastError: TransportError | undefined;
  private readonly sudo: boolean;

  constructor(host: string, options: { readonly sudo?: boolean } = {}) {
    this.host = host;
    this.sudo = options.sudo ?? false;
  }

  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const full = this.sudo ? ['sudo', '-n', '--', ...argv] : [...argv];
    const [file, ...args] = full;
    if (!file) return Promise.reject(transportError('parse', this.host, 'exec', 'empty command'));
    const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let outBytes = 0;
      let failure: Error | undefined;
      const kill = (err: Error) => {
        failure ??= err;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(
        () =>
          kill(transportError('timeout', this.host, 'exec', `command did not finish within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > cap) kill(transportError('parse', this.host, 'exec', `output exceeded ${cap} bytes`));
        else out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => errOut.push(chunk));
      child.on('error', (err) => kill(classifySshError(err, this.host, `exec ${file}`)));
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (failure) {
          this.lastError = (failure as { detail?: TransportError }).detail;
          reject(failure);
          return;
        }
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
          exitCode: code,
          ...(signal ? { signal } : {}),
          durationMs: Date.now() - started,
        });
      });
      child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading stdin
      child.stdin.end(options.stdin ?? '');
    });
  }

  async close(): Promise<void> {
    this.state = 'closed';
  }
}
