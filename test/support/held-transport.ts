import { execFileSync } from 'node:child_process';
import type { ConnectionState, ExecOptions, ExecResult, Transport } from '../../src/transport/transport.js';
import { TransportFailure, type TransportError } from '../../src/transport/transport-error.js';

interface Pending {
  readonly argv: readonly string[];
  readonly options: ExecOptions;
  /** Output already handed to `onStdout` by `releaseUntil`. */
  delivered?: string;
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

  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    this.calls += 1;
    return new Promise((resolve, reject) => this.pending.push({ argv, options, resolve, reject }));
  }

  private output(p: Pending): string {
    if (p.delivered === undefined) {
      const [file, ...args] = p.argv;
      p.delivered = '';
      (p as { full?: string }).full = execFileSync(file!, args, {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' },
      });
    }
    return (p as { full?: string }).full!;
  }

  /**
   * Run the oldest held command for real, but stream only its output up to the end marker of section `id` (as a
   * slow host would: the rest is still being produced). `release` or `fail` ends it later.
   */
  releaseUntil(id: string): void {
    const p = this.pending[0];
    if (!p) throw new Error('nothing pending');
    const full = this.output(p);
    const end = new RegExp(`^@@LVSTOP:[0-9a-f]+:end ${id} \\d+\n`, 'm').exec(full);
    if (!end) throw new Error(`section ${id} not in the output`);
    const upTo = end.index + end[0].length;
    p.options.onStdout?.(Buffer.from(full.slice(p.delivered!.length, upTo)));
    p.delivered = full.slice(0, upTo);
  }

  /** Run the oldest held command for real and deliver (the rest of) its output. */
  release(): void {
    const p = this.pending.shift();
    if (!p) throw new Error('nothing pending');
    const streaming = p.delivered !== undefined;
    const stdout = this.output(p);
    if (streaming) p.options.onStdout?.(Buffer.from(stdout.slice(p.delivered!.length)));
    p.resolve({ stdout, stderr: '', exitCode: 0, durationMs: 1 });
  }

  /** Run the oldest held command for real and stream all of its output to `onStdout` before it ends. */
  releaseStreamed(): void {
    const p = this.pending[0];
    if (!p) throw new Error('nothing pending');
    const stdout = this.output(p);
    p.options.onStdout?.(Buffer.from(stdout.slice(p.delivered!.length)));
    p.delivered = stdout;
    this.release();
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
