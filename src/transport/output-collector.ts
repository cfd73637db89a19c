import { DEFAULT_MAX_OUTPUT_BYTES, MAX_STDERR_BYTES, type ExecOptions, type ExecResult } from './transport.js';
import { transportError, type TransportFailure } from './transport-error.js';

/**
 * One command's output within its limits, the same for every transport (local, SSH exec, the long-lived shells).
 * stdout is kept and shown to `onStdout` chunk by chunk until it passes `maxOutputBytes`, which fails the command with
 * `parse`; stderr keeps its first MAX_STDERR_BYTES (a chunk that crosses the limit is cut there) and drops the rest.
 * Once the command has settled (`stop`), whatever still arrives is ignored: nothing reaches `onStdout` after the
 * caller was answered.
 */
export class OutputCollector {
  /** The stdout cap in bytes. */
  readonly cap: number;
  /** When the command started, for the result's duration. */
  readonly started = Date.now();
  private readonly host: string;
  private readonly onStdout: ((chunk: Buffer) => void) | undefined;
  private readonly keepStdout: boolean;
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private outBytes = 0;
  private errBytes = 0;
  private stopped = false;

  /** `keepStdout: false` for a caller that keeps stdout its own way (the shell session scans it as text). */
  constructor(
    host: string,
    options: Pick<ExecOptions, 'maxOutputBytes' | 'onStdout' | 'keepStdout'>,
    { keepStdout = true }: { readonly keepStdout?: boolean } = {},
  ) {
    this.host = host;
    this.cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.onStdout = options.onStdout;
    this.keepStdout = keepStdout && options.keepStdout !== false;
  }

  /** Takes a stdout chunk; the `parse` failure when stdout has passed the cap (the collector then stops). */
  stdout(chunk: Buffer): TransportFailure | undefined {
    if (this.stopped) return undefined;
    this.outBytes += chunk.length;
    if (this.outBytes > this.cap) {
      this.stopped = true;
      return transportError('parse', this.host, 'exec', `output exceeded ${this.cap} bytes`);
    }
    if (this.keepStdout) this.out.push(chunk);
    this.onStdout?.(chunk);
    return undefined;
  }

  stderr(chunk: Buffer): void {
    if (this.stopped || this.errBytes >= MAX_STDERR_BYTES) return;
    this.err.push(chunk.subarray(0, MAX_STDERR_BYTES - this.errBytes));
    this.errBytes += chunk.length;
  }

  /** The command has settled: later chunks are ignored. */
  stop(): void {
    this.stopped = true;
  }

  get stderrText(): string {
    return Buffer.concat(this.err).toString('utf8');
  }

  /** The command's result (the collector stops); `stdout` replaces the kept stdout where the caller kept its own. */
  result(exitCode: number | null, signal?: string | null, stdout?: string): ExecResult {
    this.stop();
    return {
      stdout: stdout ?? Buffer.concat(this.out).toString('utf8'),
      stderr: this.stderrText,
      exitCode,
      ...(signal ? { signal } : {}),
      durationMs: Date.now() - this.started,
    };
  }
}
