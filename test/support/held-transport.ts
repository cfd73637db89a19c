import { execFileSync } from 'node:child_process';
import type { ConnectionState, ExecOptions, ExecResult, Transport } from '../../src/transport/transport.js';
import { TransportFailure, type TransportError } from '../../src/transport/transport-error.js';

interface Pending {
  readonly argv: readonly string[];
  resolve(result: ExecResult): void;
  reject(err: unknown): void;
}

/**
 * A transport whose commands really run on this machine (with `sh`, against the real /proc), but whose answers are
 * released by the test, so a poller can be driven with fake timers: hold a poll open, fail it, or let it through.
 */
export class HeldTransport implements Transport {
  readonly host: string;
  state: ConnectionState = 'up';
  lastError: TransportError | undefined;
  readonly pending: Pending[] = [];
  calls = 0;

  constructor(host: string) {
    this.host = host;
  }

  exec(argv: readonly string[]): Promise<ExecResult> {
    this.calls += 1;
    return new Promise((resolve, reject) => this.pending.push({ argv, resolve, reject }));
  }

  /** Run the oldest held command for real and deliver its output. */
  release(): void {
    const p = this.pending.shift();
    if (!p) throw new Error('nothing pending');
    const [file, ...args] = p.argv;
    const stdout = execFileSync(file!, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } });
    p.resolve({ stdout, stderr: '', exitCode: 0, durationMs: 1 });
  }

  fail(detail: Omit<TransportError, 'host'>): void {
    const p = this.pending.shift();
    if (!p) throw new Error('nothing pending');
    p.reject(new TransportFailure({ ...detail, host: this.host }));
  }

  async close(): Promise<void> {
    this.state = 'closed';
  }
}

export type { ExecOptions };
