import type { TransportError } from './transport-error.js';

export interface ExecOptions {
  /** Kill the command and fail with `timeout` after this long. */
  readonly timeoutMs: number;
  /** Fail with `parse` once stdout passes this many bytes. */
  readonly maxOutputBytes?: number;
  /** Sees stdout as it arrives (a poll's sections are used as each one ends); the result still holds all of it. */
  readonly onStdout?: (chunk: Buffer) => void;
  /**
   * exec only: false to hand stdout to `onStdout` alone, never held (the result's stdout is empty), for an output
   * that may be far longer than memory should hold and is counted as it streams (a connection table).
   */
  readonly keepStdout?: boolean;
  /** Text written to the command's stdin. */
  readonly stdin?: string;
  /**
   * execShell and execBash: the script is one shell function call that ends with `return`, never `exit`, and sets no
   * option it does not restore; it runs in the long-lived shell itself, with no subshell.
   */
  readonly inline?: boolean;
  /** execShell and execBash: a shell function the script calls, sent only to a shell that does not have it yet. */
  readonly define?: ShellFunction;
  /**
   * execBash only: run in a bash of its own under this name, kept apart from the probe shell and every other lane, so
   * one mount that hangs never holds up another's probe (or a real-server probe round).
   */
  readonly lane?: string;
}

export interface ShellFunction {
  readonly name: string;
  readonly definition: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly durationMs: number;
}

export type ConnectionState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

/** Runs argv commands on one host. SSH and local execution both implement it. */
export interface Transport {
  readonly host: string;
  readonly state: ConnectionState;
  readonly lastError: TransportError | undefined;
  /** Run one command. Rejects with TransportFailure; a non-zero exit is a result, not a rejection. */
  exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Run a POSIX sh script in a long-lived shell on the host, where the transport keeps one (cheaper than exec). */
  execShell?(script: string, options: ExecOptions): Promise<ExecResult>;
  /** Run a bash script in a second long-lived shell, bash (for bash's builtins: /dev/tcp, `read -t`). */
  execBash?(script: string, options: ExecOptions): Promise<ExecResult>;
  /** Milliseconds until the transport will try to connect again (its own reconnect backoff), when it has one. */
  retryInMs?(): number;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
/** stderr kept per command: enough for any error message, bounded whatever a command prints. */
export const MAX_STDERR_BYTES = 64 * 1024;
