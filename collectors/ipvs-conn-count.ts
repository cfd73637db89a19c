import { decimalUint } from './field-ranges.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import type { CommandSection } from './section.js';

export const IPVS_CONN_FILE = '/proc/net/ip_vs_conn';

/**
 * The size of the connection table, without shipping it: `wc -l` reads the kernel's text of the table in large
 * blocks and prints one number. Shell builtins read a byte at a time (a million entries are ~150 MB of text) and
 * `ipvsadm -Lnc | wc -l` adds a netlink dump, its formatting and a pipe. The kernel still formats every entry, so the
 * read is capped: a table too big to count in `timeoutSec` is reported as such, never waited for.
 */
export const IPVS_CONN_COUNT_SECTION: CommandSection = {
  id: 'ipvs-conn-count',
  argv: ['wc', '-l', IPVS_CONN_FILE],
  guard: ['test', '-e', IPVS_CONN_FILE],
  timeoutSec: 5,
};

/** `wc -l /proc/net/ip_vs_conn` prints `N /proc/net/ip_vs_conn`: N lines, the first of them the header. */
export function parseConnCount(text: string): ParseResult<number> {
  const line = text.trim();
  const m = /^(\d{1,12})\s+\S+$/.exec(line);
  const lines = m ? decimalUint(m[1]!, 12) : undefined;
  if (lines === undefined) return parseError('wc -l: not a line count', 1, line.slice(0, 80));
  return ok(Math.max(0, lines - 1));
}
