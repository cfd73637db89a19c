import { IPVS_LIST_ARGV, IPVS_STATS_ARGV, parseIpvsList, parseIpvsListAndStats } from './ipvs-list.js';
import { IPVS_PROC_FILE, IPVS_PROC_STATS_FILE, parseIpvsProc, parseIpvsProcStats } from './ipvs-proc.js';
import { listExtras, readProcPoll, type ListExtras } from './ipvs-proc-merge.js';
import type { IpvsCounters, IpvsTable } from './ipvs-types.js';
import { parseErrorText } from './parse-result.js';
import type { Section, SectionOutput } from './section.js';

const IP_VS_LOADED = ['test', '-e', '/proc/net/ip_vs'] as const;

/**
 * ipvsadm only runs where ip_vs is loaded, so polling never loads the module as a side effect. Its readings are the
 * director's, the same for every poller: shared between pollers side by side (CommandSection.shared).
 */
export const IPVS_SECTIONS: readonly Section[] = [
  { id: 'ipvs-list', argv: IPVS_LIST_ARGV, guard: IP_VS_LOADED, shared: true },
  { id: 'ipvs-stats', argv: IPVS_STATS_ARGV, guard: IP_VS_LOADED, shared: true },
  { id: 'ipvs-proc', file: IPVS_PROC_FILE, guard: IP_VS_LOADED },
  { id: 'ipvs-proc-stats', file: IPVS_PROC_STATS_FILE, guard: IP_VS_LOADED },
];

export type IpvsSource = 'ipvsadm' | 'proc';

export type IpvsReading =
  | {
      readonly status: 'ok';
      readonly source: IpvsSource;
      readonly table: IpvsTable;
      /** Director-wide totals from /proc/net/ip_vs_stats. */
      readonly totals?: IpvsCounters;
      /** Why the fallback source was used. */
      readonly note?: string;
    }
  | { readonly status: 'not-loaded'; readonly message: string }
  | {
      readonly status: 'error';
      readonly kind: 'not-found' | 'permission' | 'exit-code' | 'parse';
      readonly message: string;
    };

function ipvsadmProblem(out: SectionOutput): { kind: 'not-found' | 'permission' | 'exit-code'; message: string } {
  // ipvsadm may print a modprobe complaint first; the "Can't initialize ipvs" line says what went wrong.
  const lines = `${out.stderr}\n${out.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const msg = lines.find((l) => /can't initialize ipvs/i.test(l)) ?? lines[0] ?? `exit code ${out.exitCode}`;
  if (out.exitCode === 127 || /ipvsadm: (command )?not found/i.test(out.stderr))
    return { kind: 'not-found', message: `ipvsadm is not installed: ${msg}` };
  if (/permission denied|must be root|operation not permitted/i.test(msg))
    return { kind: 'permission', message: `ipvsadm not permitted: ${msg}` };
  return { kind: 'exit-code', message: `ipvsadm exited ${out.exitCode}: ${msg}` };
}

const NOT_LOADED = { status: 'not-loaded', message: 'ip_vs is not loaded (/proc/net/ip_vs missing)' } as const;

/** Director-wide totals from /proc/net/ip_vs_stats, when it was read cleanly. */
function totalsOf(sections: ReadonlyMap<string, SectionOutput>): IpvsCounters | undefined {
  const procStats = sections.get('ipvs-proc-stats');
  if (procStats?.exitCode !== 0) return undefined;
  const t = parseIpvsProcStats(procStats.stdout);
  return t.ok ? t.value : undefined;
}

/** Decide what the IPVS sections say: ipvsadm when it worked, else /proc, else why neither. */
export function interpretIpvs(sections: ReadonlyMap<string, SectionOutput>): IpvsReading {
  const list = sections.get('ipvs-list');
  const stats = sections.get('ipvs-stats');
  const proc = sections.get('ipvs-proc');
  if (!list) return { status: 'error', kind: 'parse', message: 'no ipvs-list section in the poll output' };
  if (list.exitCode === null) return NOT_LOADED;
  const totals = totalsOf(sections);
  if (list.exitCode === 0) {
    const parsed =
      stats?.exitCode === 0
        ? parseIpvsListAndStats(list.stdout, stats.stdout)
        : { ...parseIpvsList(list.stdout), output: 'list' as const };
    if (!parsed.ok) {
      const command = parsed.output === 'list' ? 'ipvsadm -L -n' : 'ipvsadm --stats';
      return { status: 'error', kind: 'parse', message: parseErrorText(command, parsed.error) };
    }
    return { status: 'ok', source: 'ipvsadm', table: parsed.value, ...(totals ? { totals } : {}) };
  }
  const problem = ipvsadmProblem(list);
  if (proc?.exitCode === 0) {
    const p = parseIpvsProc(proc.stdout);
    if (p.ok)
      return { status: 'ok', source: 'proc', table: p.value, ...(totals ? { totals } : {}), note: problem.message };
  }
  return { status: 'error', ...problem };
}

/**
 * A poll that read the full list beside /proc/net/ip_vs: what the list adds to /proc, for the polls that read /proc
 * and `--stats` alone. Undefined unless both were read cleanly (ipvsadm working, /proc readable).
 */
export function extrasOf(sections: ReadonlyMap<string, SectionOutput>, reading: IpvsReading): ListExtras | undefined {
  const proc = sections.get('ipvs-proc');
  if (reading.status !== 'ok' || reading.source !== 'ipvsadm' || proc?.exitCode !== 0) return undefined;
  const p = parseIpvsProc(proc.stdout);
  return p.ok ? listExtras(reading.table, p.value) : undefined;
}

/**
 * What a poll without the list says: /proc/net/ip_vs with the last list's facts, and the counters of `--stats`. The
 * reading is the list's as it stands now, save the flags /proc does not show (read again with the next full list).
 * `listNow`: the table could not be completed from /proc (a service new or changed, /proc unreadable, ipvsadm failing):
 * the next poll must read the full list.
 */
export function interpretIpvsFromProc(
  sections: ReadonlyMap<string, SectionOutput>,
  extras: ListExtras,
): { reading: IpvsReading; listNow: boolean } {
  const proc = sections.get('ipvs-proc');
  if (!proc)
    return {
      reading: { status: 'error', kind: 'parse', message: 'no ipvs-proc section in the poll output' },
      listNow: true,
    };
  if (proc.exitCode === null) return { reading: NOT_LOADED, listNow: true };
  const r = readProcPoll(proc, sections.get('ipvs-stats'), extras);
  if (!r.ok) return { reading: { status: 'error', kind: 'parse', message: r.message }, listNow: true };
  const totals = totalsOf(sections);
  const base = { status: 'ok', table: r.table, ...(totals ? { totals } : {}) } as const;
  if (r.stats === 'merged') return { reading: { ...base, source: 'ipvsadm' }, listNow: !r.complete };
  return { reading: { ...base, source: 'proc', note: ipvsadmProblem(r.stats).message }, listNow: true };
}
