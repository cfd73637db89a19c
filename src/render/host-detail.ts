import type { DoctorCheck } from '../model/doctor.js';
import type { HostRuntime } from '../store/store-types.js';
import { formatAge } from './format.js';
import { staleParts } from './part-freshness.js';
import type { DetailTarget } from './table-model.js';

/** Everything known of a host, whole: what the Hosts row cuts to fit a column. */
export function hostDetail(host: string, rt: HostRuntime | undefined, now: number): DetailTarget {
  const i = rt?.info;
  const lines: string[] = [];
  if (rt?.error) lines.push(`error: ${rt.error.kind}: ${rt.error.message}`);
  for (const p of staleParts(rt, now)) lines.push(`stale: ${p}`);
  for (const [id, p] of Object.entries(rt?.parts ?? {}))
    lines.push(`${id}: ${p.readAt === undefined ? 'never read' : `read ${formatAge(now - p.readAt)} ago`}`);
  if (i) {
    const used = Math.round((1 - i.memAvailableKb / i.memTotalKb) * 100);
    lines.push(
      `load ${i.load1} ${i.load5} ${i.load15}, up ${formatAge(i.uptimeSec * 1000)}, memory ${used}% of ${Math.round(i.memTotalKb / 1024)} MiB`,
    );
    if (i.kernel) lines.push(`kernel ${i.kernel}`);
  }
  if (rt?.clockSkewMs !== undefined)
    lines.push(`clock ${rt.clockSkewMs >= 0 ? 'ahead' : 'behind'} by ${Math.abs(rt.clockSkewMs)} ms`);
  if (rt?.pollDurationMs !== undefined) lines.push(`last poll took ${rt.pollDurationMs} ms`);
  if (rt?.pollCpuMs !== undefined) lines.push(`a poll costs this host ${rt.pollCpuMs} ms CPU (its shell and programs)`);
  const b = rt?.probeBudget;
  if (b)
    lines.push(
      `real-server probes: ${b.perRound} of ${b.targets} a round${b.everyRounds > 1 ? `, each every ${b.everyRounds} rounds` : ''}, ${b.perProbeCpuMs} ms CPU each, kept within ${Math.round(b.share * 100)}% of the poll's`,
    );
  if (rt?.net)
    lines.push(`addresses: ${rt.net.addresses.map((a) => `${a.address}/${a.prefixLength} ${a.ifname}`).join(', ')}`);
  return { kind: 'text', title: `host ${host}: ${rt?.status ?? 'unknown'}`, lines };
}

/** A doctor check whole, with the command that would fix it. */
export function checkDetail(c: DoctorCheck): DetailTarget {
  const verdict = c.pass === undefined ? 'not known yet' : c.pass ? 'PASS' : 'FAIL';
  return {
    kind: 'text',
    title: `${c.host}: ${c.title}: ${verdict}`,
    lines: [c.detail, ...(c.fix ? [`fix (the console never runs it): ${c.fix}`] : [])],
  };
}
