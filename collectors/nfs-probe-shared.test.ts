import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linesIn, release, until } from '../test/support/held-shells.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NFS_PROBE_FUNCTION, parseNfsProbe } from './nfs.js';

/**
 * Two probers of one mount side by side, each a real bash running the probe function on this machine's filesystem.
 * `stat` is found first in a directory of the test's: the real /usr/bin/stat, after it has counted its run and
 * waited on its prober's FIFO, so the order of events is the test's, not the clock's.
 */
let dir: string;
const shells: ReturnType<typeof spawn>[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-nfs-shared-'));
  writeFileSync(
    join(dir, 'stat'),
    '#!/bin/sh\necho run >>"$COUNT"\nread -r _ <>"$STAT_GATE"\nexec /usr/bin/stat "$@"\n',
  );
  chmodSync(join(dir, 'stat'), 0o755);
});
afterEach(() => {
  for (const c of shells.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Prober {
  readonly done: Promise<string>;
  /** What bash has traced so far (set -x on its stderr). */
  trace(): string;
}

function probe(name: string, mountpoint = dir): Prober {
  const gate = join(dir, `gate-${name}`);
  spawnSync('mkfifo', [gate]);
  let out = '';
  let trace = '';
  let closed = false;
  const child = spawn('bash', ['-c', `${NFS_PROBE_FUNCTION.definition}\nset -x\nlvstop_nfs_probe "$MNT" 60`], {
    env: {
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      TMPDIR: dir,
      MNT: mountpoint,
      STAT_GATE: gate,
      COUNT: join(dir, 'count'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  shells.push(child);
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (trace += b.toString()));
  child.on('close', () => (closed = true));
  return { done: until(() => closed, `prober ${name} to end`).then(() => out), trace: () => trace };
}

const answer = (name: string) => release(join(dir, `gate-${name}`));
const runs = () => linesIn(join(dir, 'count'));

describe('the NFS probe between probers side by side', () => {
  it('asks the server once for two probes: the one that waited its turn prints the result that came after it began', async () => {
    const a = probe('a');
    await until(() => runs() === 1, 'the first stat');
    const b = probe('b');
    // b has taken its start time and waits for a's turn to end.
    await until(() => /lvstop_nfs_turn/.test(b.trace()), 'the second probe to wait its turn');
    await answer('a');
    const [outA, outB] = await Promise.all([a.done, b.done]);
    expect(runs()).toBe(1);
    const parsed = parseNfsProbe(outA);
    expect(parsed.ok && parsed.value.exitCode).toBe(0);
    expect(outB).toBe(outA);
  });

  it('asks again for a probe that began after the last one ended', async () => {
    const a = probe('a');
    await answer('a');
    await a.done;
    const b = probe('b');
    await answer('b');
    const outB = await b.done;
    expect(runs()).toBe(2);
    const parsed = parseNfsProbe(outB);
    expect(parsed.ok && parsed.value.exitCode).toBe(0);
  });

  it('keeps only the result of the probe the lock names when two took the turn at once', async () => {
    // Taking the turn is a write and a read back, not an atomic take: emptying the lock while a's stat runs lets b
    // take it too, as a shell held up between finding the lock free and writing its number would.
    const a = probe('a');
    await until(() => runs() === 1, 'the first stat');
    const kept = () => readdirSync(dir).filter((f) => f.startsWith('.lvstop-nfs-'));
    writeFileSync(
      join(
        dir,
        kept().find((f) => f.endsWith('.lock'))!,
      ),
      '',
    );
    const b = probe('b');
    await until(() => runs() === 2, 'b to take the turn and ask the server');
    await answer('b');
    const outB = await b.done;
    await answer('a');
    const outA = await a.done;
    expect(outA).not.toBe(outB);
    const file = kept().find((f) => !f.endsWith('.lock'))!;
    expect(readFileSync(join(dir, file), 'utf8')).toMatch(new RegExp(`^${outB}@@lvstop-end \\d+\n$`));
  });

  it('keeps two mounts apart whose names differ only in _ and /: neither waits for the other', async () => {
    mkdirSync(join(dir, 'a_b'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    const a = probe('a', join(dir, 'a_b'));
    await until(() => runs() === 1, 'the first stat');
    const b = probe('b', join(dir, 'a', 'b'));
    await until(() => runs() === 2, 'the second mount asked for at once');
    await answer('a');
    await answer('b');
    const [outA, outB] = await Promise.all([a.done, b.done]);
    for (const out of [outA, outB]) {
      const parsed = parseNfsProbe(out);
      expect(parsed.ok && parsed.value.exitCode).toBe(0);
    }
  });
});
