import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { debugLog } from '../debug-log.js';

/** A stdio stream as far as the watch needs it. */
type StdioStream = NodeJS.EventEmitter & { readonly isTTY?: boolean };

/** The process's terminal side: the real one unless a test passes fakes. */
export interface TerminalHost {
  readonly stdin: StdioStream;
  readonly stdout: StdioStream;
  readonly stderr: StdioStream;
  /** Emits 'SIGHUP' and 'exit'. */
  readonly process: NodeJS.EventEmitter;
  readonly isatty: (fd: number) => boolean;
  readonly closeFd: (fd: number) => void;
}

export function processTerminal(): TerminalHost {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    process,
    isatty,
    closeFd: closeSync,
  };
}

/** What said the terminal is gone: `SIGHUP`, `end` (a tty stdin at EOF) or a failed read or write's code (`EIO`, `EPIPE`). */
export interface TerminalLoss {
  readonly reason: string;
  readonly stream?: 'stdin' | 'stdout' | 'stderr';
}

/**
 * Calls `onLost` once when the terminal goes away (a dropped SSH session, a killed tmux session): SIGHUP, a tty stdin
 * ending or failing, or a write to stdout or stderr failing. It logs one `terminal-lost` debug line. For the rest of the
 * process every error on the three streams is swallowed: nobody is left to read it, and unhandled it would crash.
 *
 * At exit Node restores the terminal settings of every stdio descriptor that was a tty when it started, and aborts with
 * a native assertion (node::ResetStdio) when tcsetattr fails; on a hung-up tty it fails with EIO, whichever way the
 * process exits. So on exit each stdio descriptor that was a tty and is not one any more is closed first: Node skips
 * a closed one.
 */
export function watchTerminal(onLost: (loss: TerminalLoss) => void, host: TerminalHost = processTerminal()): void {
  let lost = false;
  const lose = (loss: TerminalLoss) => {
    if (lost) return;
    lost = true;
    debugLog('terminal-lost', { reason: loss.reason, stream: loss.stream });
    onLost(loss);
  };
  const streams = { stdin: host.stdin, stdout: host.stdout, stderr: host.stderr } as const;
  for (const [name, stream] of Object.entries(streams) as [keyof typeof streams, StdioStream][]) {
    stream.on('error', (err: NodeJS.ErrnoException) => lose({ reason: err.code ?? 'error', stream: name }));
  }
  // EOF on a tty means it hung up; on a pipe or a file it is only the end of the input.
  if (host.stdin.isTTY) host.stdin.on('end', () => lose({ reason: 'end', stream: 'stdin' }));
  host.process.on('SIGHUP', () => lose({ reason: 'SIGHUP' }));
  host.process.on('exit', () => {
    for (const [fd, stream] of Object.values(streams).entries()) {
      if (!stream.isTTY || host.isatty(fd)) continue;
      try {
        host.closeFd(fd);
      } catch {
        // Already closed: Node skips it too.
      }
    }
  });
}
