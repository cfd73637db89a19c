import { MAX_LINE } from './field-ranges.js';
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

const LOADAVG = /^(\d{1,10}\.\d{1,10}) (\d{1,10}\.\d{1,10}) (\d{1,10}\.\d{1,10}) \d{1,10}\/\d{1,10} \d{1,10}$/;
const UPTIME = /^(\d{1,15}(?:\.\d{1,10})?) \d{1,15}(?:\.\d{1,10})?$/;
const MEMINFO = /^(\w{1,64}(?:\(\w{1,64}\))?):\s{0,64}(\d{1,20})(?: kB)?$/;

/** Parse `cat /proc/loadavg /proc/uptime /proc/meminfo`. */
export function parseHostProc(text: string): ParseResult<Omit<HostInfo, 'kernel'>> {
  const lines = text.split('\n');
  const line = (i: number) => (lines[i] ?? '').slice(0, MAX_LINE + 1);
  const load = LOADAVG.exec(line(0));
  if (!load) return parseError('expected /proc/loadavg on the first line', 1, line(0));
  const up = UPTIME.exec(line(1));
  if (!up) return parseError('expected /proc/uptime on the second line', 2, line(1));
  const mem = new Map<string, number>();
  for (let i = 2; i < lines.length; i++) {
    const m = lines[i]!.length > MAX_LINE ? null : MEMINFO.exec(lines[i]!);
    if (m) mem.set(m[1]!, Number(m[2]));
  }
  const total = mem.get('MemTotal');
  if (total === undefined) return parseError('no MemTotal in /proc/meminfo');
  const available = mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0;
  if (available > total) return parseError(`MemAvailable (${available} kB) exceeds MemTotal (${total} kB)`);
  const loads = [Number(load[1]), Number(load[2]), Number(load[3])];
  if (!loads.every(Number.isFinite)) return parseError('load average out of range', 1, line(0));
  return ok({
    load1: loads[0]!,
    load5: loads[1]!,
    load15: loads[2]!,
    uptimeSec: Number(up[1]),
    memTotalKb: total,
    memAvailableKb: available,
  });
}

export function interpretHostInfo(sections: ReadonlyMap<string, SectionOutput>): ParseResult<HostInfo> {
  const parts = ['loadavg', 'uptime', 'meminfo'].map((id) => sections.get(id));
  const failed = parts.find((p) => !p || p.exitCode !== 0);
  if (parts.some((p) => !p) || failed)
    return parseError(`cannot read /proc on the host: ${failed?.stderr.trim().slice(0, 300) || 'no output'}`);
  // The files' texts, concatenated, are what `cat /proc/loadavg /proc/uptime /proc/meminfo` prints.
  const parsed = parseHostProc(parts.map((p) => (p!.stdout.endsWith('\n') ? p!.stdout : `${p!.stdout}\n`)).join(''));
  if (!parsed.ok) return parsed;
  const kernel = sections.get('osrelease');
  const release = kernel?.exitCode === 0 ? kernel.stdout.trim() : '';
  if (release.length > 256 || !/^[\x20-\x7e]*$/.test(release)) return ok(parsed.value);
  return ok({ ...parsed.value, ...(release ? { kernel: release } : {}) });
}
