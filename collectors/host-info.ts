import { ok, parseError, type ParseResult } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

export const HOST_SECTIONS: readonly Section[] = [
  { id: 'loadavg', file: '/proc/loadavg' },
  { id: 'uptime', file: '/proc/uptime' },
  { id: 'meminfo', file: '/proc/meminfo' },
  { id: 'osrelease', file: '/proc/sys/kernel/osrelease' },
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
  const parts = ['loadavg', 'uptime', 'meminfo'].map((id) => sections.get(id));
  const failed = parts.find((p) => !p || p.exitCode !== 0);
  if (parts.some((p) => !p) || failed)
    return parseError(`cannot read /proc on the host: ${failed?.stderr.trim() || 'no output'}`);
  // The files' texts, concatenated, are what `cat /proc/loadavg /proc/uptime /proc/meminfo` prints.
  const parsed = parseHostProc(parts.map((p) => (p!.stdout.endsWith('\n') ? p!.stdout : `${p!.stdout}\n`)).join(''));
  if (!parsed.ok) return parsed;
  const kernel = sections.get('osrelease');
  const release = kernel?.exitCode === 0 ? kernel.stdout.trim() : '';
  return ok({ ...parsed.value, ...(release ? { kernel: release } : {}) });
}
