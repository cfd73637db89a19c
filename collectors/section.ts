/** One part of a host's poll; all parts run in a single exec. */
export type Section = CommandSection | FileSection | ScriptSection;

/**
 * A POSIX sh script run in a subshell of the poll's own shell, with `args` as its positional parameters: a fork
 * only, where `sh -c` would add an exec and a new shell. Its `exit` ends the subshell, not the poll.
 */
export interface ScriptSection {
  readonly id: string;
  readonly script: string;
  readonly args: readonly string[];
}

export interface CommandSection {
  readonly id: string;
  readonly argv: readonly string[];
  /** Run argv only when this succeeds (e.g. `test -e /proc/net/ip_vs`, so ipvsadm never loads the module). */
  readonly guard?: readonly string[];
  /** Kill the command after this many seconds (`timeout -s KILL`). */
  readonly timeoutSec?: number;
}

/**
 * A file read with shell builtins only (no process started): the output is what `cat FILE` prints, exit code 1 and
 * a message on stderr when the file cannot be read. Polls read many small /proc files; on a loaded host every
 * process started costs more than the read.
 */
export interface FileSection {
  readonly id: string;
  readonly file: string;
  /** Read only the first lines (shell builtins read a byte at a time: a poll should not read what it does not use). */
  readonly maxLines?: number;
  readonly guard?: readonly string[];
}

export interface SectionOutput {
  readonly id: string;
  readonly stdout: string;
  readonly stderr: string;
  /** null when the guard failed and the command was not run. */
  readonly exitCode: number | null;
}
