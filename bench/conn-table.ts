/**
 * The streaming connection-table reader against the one-pass floor: a 1,000,000-entry `ipvsadm -L -n -c` output
 * (generated in print_conn's format, see conn-table-gen.ts) is streamed from a file in 64 KiB chunks, as a remote
 * command's output arrives. Each pass runs in a fresh node process (so its peak RSS is its own), interleaved:
 * - `newlines`: finds every line end with Buffer.indexOf (native memchr) and counts them: the read and nothing else;
 * - `splitLines`: cuts every line out as a string and counts them: what any line-by-line reader does first;
 * - `scanBytes`: one JavaScript loop over every byte, counting line ends: the floor for a parser written in
 *   JavaScript that looks at each byte once;
 * - `fieldsOnly`: line ends by indexOf, and each line's protocol, expiry, state and client read by position (the
 *   common-shape reader the parse uses), nothing grouped or counted: what reading the fields alone costs;
 * - `parse`: ConnTableReader, counting per (service, real server) with states, templates, expiries and top clients.
 * Times are wall and CPU (user + system, every thread of the process: V8's compiler threads count) of the pass inside
 * its process: on a shared, loaded machine the CPU time is the steadier figure. Each child times its first pass
 * (`cold`: the code not yet compiled, as the console's first read of a table) and then WARM_READS more over the same
 * file (`warm`: the console's later reads, one a poll while a drain or the Connections view is open). The warm figures
 * are compared pass by pass within one child against scanBytes' warm passes in the same child, interleaved, so that a
 * machine whose speed changes between runs (a shared host) changes both sides of a ratio alike.
 * Run: `npm run bench:conns`. Writes bench/results/conn-table.json.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readCommonLine } from '../collectors/ipvs-conn-common.js';
import { newConnLine } from '../collectors/ipvs-conn-line.js';
import { ConnTableReader, type ConnTableCounts } from '../collectors/ipvs-conns.js';
import { topClientsAccuracy, type TopClientsAccuracy } from './conn-table-accuracy.js';
import { writeConnTable, type GeneratedTable } from './conn-table-gen.js';

const root = resolve(import.meta.dirname, '../..');
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHUNK = 64 * 1024;
const DEADLINE_MS = 100;
/** Reads after the first in each child, each beside a scanBytes read. */
const WARM_READS = Number(process.env.BENCH_WARM_READS ?? 4);

async function stream(path: string, onChunk: (chunk: Buffer) => boolean | void): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    if (onChunk(chunk as Buffer) === false) break;
  }
}

const PASSES = {
  async newlines(path: string) {
    let n = 0;
    await stream(path, (b) => {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    });
    return { lines: n };
  },
  async splitLines(path: string) {
    let n = 0;
    let carry = '';
    await stream(path, (b) => {
      let start = 0;
      for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, start)) {
        if ((carry + b.toString('latin1', start, nl)).length >= 0) n++;
        carry = '';
        start = nl + 1;
      }
      carry = b.toString('latin1', start);
    });
    return { lines: n };
  },
  async scanBytes(path: string) {
    let n = 0;
    await stream(path, (b) => {
      for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
    });
    return { lines: n };
  },
  /** Line ends by indexOf, each line's fields read by position (readCommonLine), nothing counted or grouped. */
  async fieldsOnly(path: string) {
    const s = newConnLine();
    let n = 0;
    await stream(path, (b) => {
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      let start = 0;
      for (let nl = b.indexOf(10); nl >= 0; start = nl + 1, nl = b.indexOf(10, start))
        if (readCommonLine(b, v, start, nl, s)) n++;
    });
    return { lines: n };
  },
  async parse(path: string, deadlineMs?: number) {
    const reader = new ConnTableReader(deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs });
    await stream(path, (b) => reader.feed(b));
    return summaryOf(reader.end());
  },
};
type PassName = keyof typeof PASSES;

function summaryOf(r: ConnTableCounts) {
  const sum = (f: (g: ConnTableCounts['groups'][number]) => number) => r.groups.reduce((n, g) => n + f(g), 0);
  return {
    lines: r.lines,
    entries: r.entries,
    garbage: r.garbage,
    header: r.header,
    truncated: r.truncated,
    truncatedBy: r.truncatedBy,
    groups: r.groups.length,
    templates: sum((g) => g.templates),
    active: sum((g) => g.active),
  };
}

/** CPU time (user + system, ms) of f. */
async function cpuOf(f: () => Promise<unknown>): Promise<number> {
  const cpu = process.cpuUsage();
  await f();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

/**
 * In a child process: one pass over the file (cold), its times and the process's peak RSS, then (without a deadline)
 * WARM_READS more of it, each followed by a scanBytes pass: the warm passes' CPU and each one's ratio to the scanBytes
 * pass beside it. One JSON line.
 */
async function child(name: PassName, path: string, deadlineMs?: number) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await PASSES[name](path, deadlineMs);
  const used = process.cpuUsage(cpu);
  const cold = {
    wallMs: performance.now() - wall,
    cpuMs: (used.user + used.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: process.memoryUsage().heapUsed / 1048576,
  };
  const warmCpuMs: number[] = [];
  const warmOverScan: number[] = [];
  for (let k = 0; deadlineMs === undefined && k < WARM_READS; k++) {
    const ms = await cpuOf(() => PASSES[name](path));
    warmCpuMs.push(ms);
    warmOverScan.push(ms / (await cpuOf(() => PASSES.scanBytes(path))));
  }
  process.stdout.write(`${JSON.stringify({ ...cold, warmCpuMs, warmOverScan, result })}\n`);
}

type ChildReport = {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  heapUsedMb: number;
  warmCpuMs: number[];
  warmOverScan: number[];
  result: unknown;
};
const runChild = (name: PassName, path: string, deadlineMs?: number): ChildReport =>
  JSON.parse(
    execFileSync(process.execPath, [import.meta.filename, '--pass', name, path, String(deadlineMs ?? '')], {
      encoding: 'utf8',
    }),
  ) as ChildReport;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function summary(reports: ChildReport[]) {
  const med = median;
  const r = (v: number) => Math.round(v * 10) / 10;
  const wall = reports.map((x) => x.wallMs);
  const cpu = reports.map((x) => x.cpuMs);
  return {
    runs: reports.length,
    wallMedianMs: r(med(wall)),
    wallMinMs: r(Math.min(...wall)),
    cpuMedianMs: r(med(cpu)),
    cpuMinMs: r(Math.min(...cpu)),
    peakRssMb: r(Math.max(...reports.map((x) => x.peakRssMb))),
    /** The later reads: median CPU, and the median of each read's ratio to the scanBytes read beside it. */
    warmCpuMedianMs: r(med(reports.flatMap((x) => x.warmCpuMs))),
    warmOverScanBytes: Math.round(med(reports.flatMap((x) => x.warmOverScan)) * 100) / 100,
  };
}

async function main() {
  const file = join(tmpdir(), `lvstop-conn-table-${process.pid}.txt`);
  try {
    const table = await writeConnTable(file, ENTRIES);
    const names = Object.keys(PASSES) as PassName[];
    const reports = Object.fromEntries(names.map((n) => [n, [] as ChildReport[]])) as Record<PassName, ChildReport[]>;
    for (let run = 0; run < RUNS; run++) for (const name of names) reports[name].push(runChild(name, file));
    check(reports.parse[0]!.result as ReturnType<typeof summaryOf>, table);
    const cut = runChild('parse', file, DEADLINE_MS).result as ReturnType<typeof summaryOf>;
    const accuracy = await topClientsAccuracy(file);
    writeResult(table, Object.fromEntries(names.map((n) => [n, summary(reports[n])])) as never, cut, accuracy);
  } finally {
    rmSync(file, { force: true });
  }
}

function writeResult(
  table: GeneratedTable,
  passes: Record<PassName, ReturnType<typeof summary>>,
  cut: ReturnType<typeof summaryOf>,
  topClients: TopClientsAccuracy,
) {
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const result = {
    date: new Date().toISOString(),
    machine: {
      nproc: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      /** Other work on the machine while this ran: wall times on a loaded machine are far above CPU times. */
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    },
    table: { entries: table.entries, bytes: table.bytes, chunkBytes: CHUNK },
    passes,
    deadline: { deadlineMs: DEADLINE_MS, truncated: cut.truncated, truncatedBy: cut.truncatedBy, linesRead: cut.lines },
    /** The 5 top clients listed per real server against exact counts (conn-table-accuracy.ts). */
    topClients,
    targets: {
      /** scanBytes is the floor: one JavaScript look at each byte. Wall too, as the issue measures it. */
      parseCpuOverScanBytes: ratio(passes.parse.cpuMedianMs, passes.scanBytes.cpuMedianMs),
      parseWallOverScanBytes: ratio(passes.parse.wallMedianMs, passes.scanBytes.wallMedianMs),
      parseCpuOverSplitLines: ratio(passes.parse.cpuMedianMs, passes.splitLines.cpuMedianMs),
      parseCpuOverNewlines: ratio(passes.parse.cpuMedianMs, passes.newlines.cpuMedianMs),
      fieldsOnlyCpuOverScanBytes: ratio(passes.fieldsOnly.cpuMedianMs, passes.scanBytes.cpuMedianMs),
      /** The console's later reads (a poll each while a drain is watched): parse beside scanBytes in one process. */
      parseWarmOverScanBytes: passes.parse.warmOverScanBytes,
      fieldsOnlyWarmOverScanBytes: passes.fieldsOnly.warmOverScanBytes,
      parsePeakRss: { targetMb: 100, measuredMb: passes.parse.peakRssMb, met: passes.parse.peakRssMb < 100 },
    },
  };
  const dir = resolve(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'conn-table.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** The parse must count what the generator wrote. */
function check(r: ReturnType<typeof summaryOf>, table: GeneratedTable) {
  if (r.entries !== table.entries || r.garbage !== 0 || r.truncated || !r.header)
    throw new Error(`parse counted ${r.entries} entries, ${r.garbage} garbage, truncated ${r.truncated}`);
  if (r.templates !== table.templates || r.active !== table.established)
    throw new Error(
      `parse counted ${r.templates} templates, ${r.active} active; the table has ${table.templates}, ${table.established}`,
    );
}

const at = process.argv.indexOf('--pass');
if (at > 0) {
  const deadline = process.argv[at + 3];
  await child(process.argv[at + 1] as PassName, process.argv[at + 2]!, deadline ? Number(deadline) : undefined);
} else await main();
