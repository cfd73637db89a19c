/**
 * Two builds of the connection-table reader side by side: each build's collectors/ directory (a `dist/collectors`
 * compiled from each commit) is loaded into one process, and their reads of one generated table are alternated with
 * a scanBytes pass (bench/conn-table.ts), so a machine whose speed drifts (a shared host) drifts for both alike. Reports
 * each build's warm CPU per read over the scanBytes pass of its round: median and minimum, after WARMUP rounds.
 * Run: `node dist/bench/conn-table-ab.js DIR_A DIR_B [ROUNDS]`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConnTableReader as Reader } from '../collectors/ipvs-conns.js';
import { writeConnTable } from './conn-table-gen.js';

const WARMUP = 3;

const cpuMs = (f: () => unknown): number => {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};

async function main() {
  const dirs = process.argv.slice(2, 4).map((d) => resolve(d));
  const rounds = Number(process.argv[4] ?? 14);
  if (dirs.length !== 2) throw new Error('usage: conn-table-ab.js DIR_A DIR_B [ROUNDS]');
  const readers = await Promise.all(
    dirs.map(
      async (d) => ((await import(join(d, 'ipvs-conns.js'))) as { ConnTableReader: typeof Reader }).ConnTableReader,
    ),
  );
  const file = join(tmpdir(), `lvstop-conn-ab-${process.pid}.txt`);
  try {
    await writeConnTable(file, Number(process.env.BENCH_ENTRIES ?? 1_000_000));
    const all = readFileSync(file);
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 65536) chunks.push(Buffer.from(all.subarray(i, i + 65536)));
    const scan = () => {
      let n = 0;
      for (const b of chunks) for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
      return n;
    };
    const ratios: number[][] = [[], []];
    for (let k = 0; k < rounds; k++) {
      const s = cpuMs(scan);
      readers.forEach((R, j) => {
        const ms = cpuMs(() => {
          const r = new R();
          for (const b of chunks) r.feed(b);
          return r.end();
        });
        if (k >= WARMUP) ratios[j]!.push(ms / s);
      });
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const r2 = (v: number) => Math.round(v * 100) / 100;
    const out = dirs.map((d, j) => ({
      dir: d,
      warmOverScanMedian: r2(med(ratios[j]!)),
      warmOverScanMin: r2(Math.min(...ratios[j]!)),
    }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    rmSync(file, { force: true });
  }
}

await main();
