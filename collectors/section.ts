/** One command of a host's poll, run with the others in a single exec. */
export interface Section {
  readonly id: string;
  readonly argv: readonly string[];
  /** Run argv only when this succeeds (e.g. `test -e /proc/net/ip_vs`, so ipvsadm never loads the module). */
  readonly guard?: readonly string[];
  /** Kill the command after this many seconds (`timeout -s KILL`). */
  readonly timeoutSec?: number;
}

export interface SectionOutput {
  readonly id: string;
  readonly stdout: string;
  readonly stderr: string;
  /** null when the guard failed and the command was not run. */
  readonly exitCode: number | null;
}
