/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`), and the same grouped by source file.
 *
 *   node dist/bench/fleet/profile-summary.js PROFILE.cpuprofile [--top 25] [--json]
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time in samples that were not (idle), (program) or (garbage collector). */
  readonly busyMs: number;
  readonly gcMs: number;
  readonly idleMs: number;
  readonly topFunctions: readonly ProfileLine[];
  readonly topFiles: readonly ProfileLine[];
}

const REPO = resolve(import.meta.dirname, '../../..');

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = path.startsWith(REPO) ? relative(REPO, path) : path;
  // Third-party code: the package name says enough.
  const nm = rel.lastIndexOf('node_modules/');
  return nm >= 0 ? rel.slice(nm + 'node_modules/'.length) : rel;
}

/** A repo file by its path; third-party code by its package name. */
function fileOrPackage(url: string): string {
  const short = shortUrl(url);
  if (!url.includes('node_modules/')) return short;
  const parts = short.split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? short);
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  let total = 0;
  let gc = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    total += us;
    if (f.functionName === '(idle)') idle += us;
    if (f.functionName === '(garbage collector)') gc += us;
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName}|${where}`;
    const e = fns.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 };
    e.us += us;
    fns.set(key, e);
    const file = f.url ? fileOrPackage(f.url) : f.functionName;
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const busy = total - idle;
  const line = (name: string, where: string, us: number): ProfileLine => ({
    name,
    where,
    selfMs: Math.round(us / 100) / 10,
    percent: Math.round((us / Math.max(1, busy)) * 1000) / 10,
  });
  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    gcMs: Math.round(gc / 1000),
    idleMs: Math.round(idle / 1000),
    topFunctions: [...fns.values()]
      .filter((e) => e.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => line(e.name, e.where, e.us)),
    topFiles: [...files]
      .filter(([f]) => f !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([f, us]) => line(f, '', us)),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, json: { type: 'boolean', default: false } },
  });
  if (!positionals[0]) {
    process.stderr.write('usage: profile-summary PROFILE.cpuprofile [--top N] [--json]\n');
    process.exit(2);
  }
  const s = summariseProfile(JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile, Number(values.top));
  if (values.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  else {
    process.stdout.write(
      `busy ${s.busyMs} ms of ${s.totalMs} ms (gc ${s.gcMs} ms)\n\nself ms  busy%  function  (where)\n`,
    );
    for (const l of s.topFunctions)
      process.stdout.write(
        `${String(l.selfMs).padStart(7)}  ${String(l.percent).padStart(5)}  ${l.name}  ${l.where}\n`,
      );
    process.stdout.write(`\nself ms  busy%  file / package\n`);
    for (const l of s.topFiles)
      process.stdout.write(`${String(l.selfMs).padStart(7)}  ${String(l.percent).padStart(5)}  ${l.name}\n`);
  }
}
