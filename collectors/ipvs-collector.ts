import { IPVS_LIST_ARGV, IPVS_STATS_ARGV, parseIpvsList, parseIpvsListAndStats } from './ipvs-list.js';
import { IPVS_PROC_FILE, IPVS_PROC_STATS_FILE, parseIpvsProc, parseIpvsProcStats } from './ipvs-proc.js';
import type { IpvsCounters, IpvsTable } from './ipvs-types.js';
import type { Section, SectionOutput } from './section.js';

const IP_VS_LOADED = ['test', '-e', '/proc/net/ip_vs'] as const;

/** ipvsadm only runs where ip_vs is loaded, so polling never loads the module as a side effect. */
export const IPVS_SECTIONS: readonly Section[] = [
  { id: 'ipvs-list', argv: IPVS_LIST_ARGV, guard: IP_VS_LOADED },
  { id: 'ipvs-stats', argv: IPVS_STATS_ARGV, guard: IP_VS_LOADED },
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

/** Decide what the IPVS sections say: ipvsadm when it worked, else /proc, else why neither. */
export function interpretIpvs(sections: ReadonlyMap<string, SectionOutput>): IpvsReading {
  const list = sections.get('ipvs-list');
  const stats = sections.get('ipvs-stats');
  const proc = sections.get('ipvs-proc');
  const procStats = sections.get('ipvs-proc-stats');
  if (!list) return { status: 'error', kind: 'parse', message: 'no ipvs-list section in the poll output' };
  if (list.exitCode === null) return { status: 'not-loaded', message: 'ip_vs is not loaded (/proc/net/ip_vs missing)' };
  let totals: IpvsCounters | undefined;
  if (procStats?.exitCode === 0) {
    const t = parseIpvsProcStats(procStats.stdout);
    if (t.ok) totals = t.value;
  }
  if (list.exitCode === 0) {
    const parsed =
      stats?.exitCode === 0
        ? parseIpvsListAndStats(list.stdout, stats.stdout)
        : { ...parseIpvsList(list.stdout), output: 'list' as const };
    if (!parsed.ok) {
      const { message, line } = parsed.error;
      const command = parsed.output === 'list' ? 'ipvsadm -L -n' : 'ipvsadm --stats';
      return { status: 'error', kind: 'parse', message: `${command}: ${message}${line ? ` (line ${line})` : ''}` };
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
