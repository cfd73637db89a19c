/** One part of a host's poll; all parts run in a single exec. */
export type Section = CommandSection | FileSection | ScriptSection | ProcessSection;

/**
 * A POSIX sh script with `args` as its positional parameters. By default it runs in a subshell of the poll's own
 * shell (a fork only, where `sh -c` would add an exec and a new shell), and its `exit` ends the subshell, not the
 * poll. An `inline` script is the body of a shell function instead, run with no process at all: it ends with
 * `return`, never `exit`, sets no trap, changes no shell option it does not restore, and names the files it keeps
 * after the poll's shell (`$$`), so that the next poll reuses them and a dead shell's files are cleaned up.
 */
export interface ScriptSection {
  readonly id: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly inline?: boolean;
}

export interface CommandSection {
  readonly id: string;
  readonly argv: readonly string[];
  /** Run argv only when this succeeds (e.g. `test -e /proc/net/ip_vs`, so ipvsadm never loads the module). */
  readonly guard?: readonly string[];
  /** Kill the command after this many seconds (`timeout -s KILL`). */
  readonly timeoutSec?: number;
  /**
   * Run the command only when one of these files (globs allowed) reads differently from the last time it ran in the
   * same shell, or `refreshSec` has passed: the section then ends with exit code UNCHANGED and no output, and the
   * poller keeps its last reading. A shell without bash's builtins always runs the command.
   */
  readonly unlessUnchanged?: { readonly files: readonly string[]; readonly refreshSec: number };
  /**
   * The host reads the same for every poller (ipvsadm's tables): pollers side by side take turns running it, and one
   * that finds a reading another poller's command began after its own poll began prints that reading instead of
   * running the command again. Only clean readings (exit 0, nothing on stderr) are shared. Under bash only; not with
   * `unlessUnchanged`.
   */
  readonly shared?: boolean;
}

/** The exit code of a section whose command was not run because what it reads had not changed. */
export const UNCHANGED = 201;

/**
 * Whether a process whose name (`/proc/PID/comm`) is exactly `name` runs, read by shell builtins without starting a
 * process: exit code 0 and ids of such processes, one per line, or 1 when there is none. A shell that found one
 * before prints that one alone while it still runs (see processBody); otherwise every one, as `pgrep -x -- name`.
 */
export interface ProcessSection {
  readonly id: string;
  readonly processNamed: string;
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
  /** Print only the last lines, as `tail -n` does (a growing log). */
  readonly lastLines?: number;
  readonly guard?: readonly string[];
}

export interface SectionOutput {
  readonly id: string;
  readonly stdout: string;
  readonly stderr: string;
  /** null when the guard failed and the command was not run. */
  readonly exitCode: number | null;
}
