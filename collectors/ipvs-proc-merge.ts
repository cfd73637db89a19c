import { parseIpvsStats, mergeIpvsStats } from './ipvs-list.js';
import { parseIpvsProc } from './ipvs-proc.js';
import { parseErrorText } from './parse-result.js';
import { realServerKey, type IpvsService, type IpvsTable } from './ipvs-types.js';
import type { SectionOutput } from './section.js';

/**
 * What a full `ipvsadm -L -n --exact` says of each service that /proc/net/ip_vs does not (persistence in seconds, its
 * netmask, flags such as ops or pe sip), keyed by service, with the /proc line it was read beside. Weights,
 * connection counts, forwarding and the set of real servers are all in /proc/net/ip_vs, which the poll's own shell
 * reads without starting a process. ipvsadm sorts services and real servers, the kernel's /proc does not: the list's
 * order is kept too, so that rows keep their places between the polls that read the list and those that do not.
 */
export type ListExtras = ReadonlyMap<string, ListedService>;

interface ListedService {
  readonly procHead: string;
  readonly service: IpvsService;
  /** The service's place in the list, and its real servers' by key. */
  readonly order: number;
  readonly realServerOrder: ReadonlyMap<string, number>;
}

/** A /proc service's scheduler and flags: when they change, the list's persistence and flags may have changed too. */
const procHead = (s: IpvsService): string => `${s.scheduler} ${s.flags.join(' ')}`;

/** The list's service facts, from a poll that read the list and /proc/net/ip_vs together. */
export function listExtras(list: IpvsTable, proc: IpvsTable): ListExtras {
  const heads = new Map(proc.services.map((s) => [s.key, procHead(s)]));
  const out = new Map<string, ListedService>();
  list.services.forEach((service, order) => {
    const head = heads.get(service.key);
    const realServerOrder = new Map(service.realServers.map((rs, i) => [realServerKey(rs), i]));
    // The list's counters are that poll's: a poll without the list has --stats' own, or none.
    const { counters: _counters, ...facts } = service;
    if (head !== undefined) out.set(service.key, { procHead: head, service: facts, order, realServerOrder });
  });
  return out;
}

/**
 * The table as `ipvsadm -L -n --exact` would print it now, from /proc/net/ip_vs and the facts of the last full list.
 * `complete` is false when a service is new or its scheduler or persistence changed since that list: it is then shown
 * as /proc has it (persistence in jiffies, no other flags) until the next full list, which the caller asks for.
 */
export function tableFromProc(proc: IpvsTable, extras: ListExtras): { table: IpvsTable; complete: boolean } {
  let complete = true;
  // Two fwmark services of one mark without real servers (IPv4 and IPv6) share a key here: neither can be matched.
  const count = new Map<string, number>();
  for (const p of proc.services) count.set(p.key, (count.get(p.key) ?? 0) + 1);
  const services = proc.services.map((p): IpvsService => {
    const known = count.get(p.key) === 1 ? extras.get(p.key) : undefined;
    if (!known || known.procHead !== procHead(p)) {
      complete = false;
      return p;
    }
    const realServers = inOrder(p.realServers, (rs) => known.realServerOrder.get(realServerKey(rs)));
    return { ...known.service, scheduler: p.scheduler, realServers };
  });
  return { table: { ...proc, services: inOrder(services, (s) => extras.get(s.key)?.order) }, complete };
}

/** The items in their listed places, those not listed after them in the order /proc gave. */
function inOrder<T>(items: readonly T[], place: (item: T) => number | undefined): T[] {
  const at = (item: T) => place(item) ?? Number.MAX_SAFE_INTEGER;
  return [...items].sort((a, b) => at(a) - at(b));
}

export type ProcPollResult =
  | {
      readonly ok: true;
      readonly table: IpvsTable;
      readonly complete: boolean;
      readonly stats: 'merged' | SectionOutput;
    }
  | { readonly ok: false; readonly message: string };

/**
 * A poll that read /proc/net/ip_vs and `ipvsadm --stats` (no list): the table with the list's facts and the counters
 * merged. `stats` is the failed --stats output when it did not run cleanly (the table then has no counters).
 */
export function readProcPoll(
  proc: SectionOutput,
  stats: SectionOutput | undefined,
  extras: ListExtras,
): ProcPollResult {
  if (proc.exitCode !== 0)
    return { ok: false, message: `/proc/net/ip_vs unreadable: ${proc.stderr.trim() || `exit ${proc.exitCode}`}` };
  const parsed = parseIpvsProc(proc.stdout);
  if (!parsed.ok) return { ok: false, message: parseErrorText('/proc/net/ip_vs', parsed.error) };
  const { table, complete } = tableFromProc(parsed.value, extras);
  if (stats?.exitCode !== 0) return { ok: true, table, complete, stats: stats ?? missingStats };
  const s = parseIpvsStats(stats.stdout);
  if (!s.ok) return { ok: false, message: parseErrorText('ipvsadm --stats', s.error) };
  return { ok: true, table: mergeIpvsStats(table, s.value), complete, stats: 'merged' };
}

const missingStats: SectionOutput = {
  id: 'ipvs-stats',
  stdout: '',
  stderr: 'no ipvs-stats section in the poll output',
  exitCode: 1,
};
