import type { ScriptSection } from './section.js';
import { ok, parseError, type ParseResult } from './parse-result.js';

/**
 * What a shell has cost its host so far, from the `times` builtin (no process): the shell's own user and system CPU,
 * then those of the children it waited for (the programs a poll or a probe round ran).
 */
export interface ShellTimes {
  /** The shell's process id: a different one is a new shell, whose counts start again. */
  readonly pid: number;
  /** User + system CPU of the shell and its waited-for children, ms. */
  readonly cpuMs: number;
}

/**
 * Last in a poll, inline in the poll's long-lived shell: its pid and its CPU so far. The difference between two polls
 * of the same shell is what one poll cost the host.
 */
export const SHELL_TIMES_SECTION: ScriptSection = {
  id: 'shell-times',
  script: 'echo "$$"; times',
  args: [],
  inline: true,
};

/** `0m0.004s` (bash), `0m0.004000s` (dash), `1m2.5s`: ms. */
const DURATION = /^(\d{1,7})m(\d{1,2}(?:\.\d{1,9})?)s$/;

function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 : undefined;
}

/** The two lines `times` prints (shell, then children: user and system each), CPU summed over both. */
export function parseTimesLines(lines: readonly string[], first = 1): ParseResult<number> {
  if (lines.length !== 2) return parseError(`times: expected 2 lines, got ${lines.length}`, first);
  let total = 0;
  for (const [i, line] of lines.entries()) {
    const fields = line.trim().split(/\s+/);
    const ms = fields.map(durationMs);
    if (fields.length !== 2 || ms.some((v) => v === undefined))
      return parseError('times: expected "user system" as NmS.SSSs', first + i, line);
    total += ms[0]! + ms[1]!;
  }
  return ok(Math.round(total * 1000) / 1000);
}

/** The section's output: the shell's pid, then `times`. */
export function parseShellTimes(text: string): ParseResult<ShellTimes> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!/^\d{1,10}$/.test(lines[0] ?? '')) return parseError('shell times: expected the shell pid first', 1, lines[0]);
  const cpu = parseTimesLines(lines.slice(1), 2);
  return cpu.ok ? ok({ pid: Number(lines[0]), cpuMs: cpu.value }) : cpu;
}
