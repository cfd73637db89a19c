import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

export const HOST_SECTIONS: readonly Section[] = [
  { id: 'host-proc', argv: ['cat', '/proc/loadavg', '/proc/uptime', '/proc/meminfo'] },
  { id: 'host-kernel', argv: ['uname', '-r'] },
];

export interface HostInfo {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
  readonly uptimeSec: number;
  readonly memTotalKb: number;
  readonly memAvailableKb: number;
  readonly kernel?: string;
}

/** Parse `cat /proc/loadavg /proc/uptime /proc/meminfo`. */
export function parseHostProc(text: string): ParseResult<Omit<HostInfo, 'kernel'>> {
  const lines = text.split('\n');
  const load = /^(\d+\.\d+) (\d+\.\d+) (\d+\.\d+) \d+\/\d+ \d+$/.exec(lines[0] ?? '');
  if (!load) return parseError('expected /proc/loadavg on the first line', 1, lines[0] ?? '');
  const up = /^(\d+(?:\.\d+)?) \d+(?:\.\d+)?$/.exec(lines[1] ?? '');
  if (!up) return parseError('expected /proc/uptime on the second line', 2, lines[1] ?? '');
  const mem = new Map<string, number>();
  for (const line of lines.slice(2)) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line);
    if (m) mem.set(m[1]!, Number(m[2]));
  }
  const total = mem.get('MemTotal');
  if (total === undefined) return parseError('no MemTotal in /proc/meminfo');
  return ok({
    load1: Number(load[1]),
    load5: Number(load[2]),
    load15: Number(load[3]),
    uptimeSec: Number(up[1]),
    memTotalKb: total,
    memAvailableKb: mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0,
  });
}

export function interpretHostInfo(sections: ReadonlyMap<string, SectionOutput>): ParseResult<HostInfo> {
  const proc = sections.get('host-proc');
  if (!proc || proc.exitCode !== 0)
    return parseError(`cannot read /proc on the host: ${proc?.stderr.trim() || 'no output'}`);
  const parsed = parseHostProc(proc.stdout);
  if (!parsed.ok) return parsed;
  const kernel = sections.get('host-kernel');
  const release = kernel?.exitCode === 0 ? kernel.stdout.trim() : '';
  return ok({ ...parsed.value, ...(release ? { kernel: release } : {}) });
}
