import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linesIn, release, until } from '../../test/support/held-shells.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Section } from '../../collectors/section.js';
import { buildSectionScript, splitSectionOutput } from './section-script.js';

/**
 * Two pollers side by side, each a real shell running the same poll. Each waits on FIFOs the test opens, so the order
 * of events is the test's, not the clock's: `$GATE` holds a poll after it began, `$CMD_GATE` holds the shared command
 * while it runs. The command counts its runs in `$COUNT` and prints the pid of the shell that ran it.
 */
const SECTIONS: readonly Section[] = [
  { id: 'held', argv: ['sh', '-c', 'read -r _ <>"$GATE"'] },
  {
    id: 'stats',
    argv: ['sh', '-c', 'echo run >>"$COUNT"; read -r _ <>"$CMD_GATE"; echo "reading by $$"; exit "${RC:-0}"'],
    shared: true,
  },
];

let dir: string;
const shells: ReturnType<typeof spawn>[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-shared-'));
});
afterEach(() => {
  // A shell still held (a test that failed) ends with its FIFOs.
  for (const c of shells.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Poll {
  /** The poll's stdout once it ends (a bounded wait: a poll held for good fails the test, never hangs it). */
  readonly done: Promise<string>;
  /** What the poll has printed so far. */
  out(): string;
}

function poll(shell: string, name: string, env: Record<string, string> = {}): Poll {
  const gate = join(dir, `gate-${name}`);
  const cmdGate = join(dir, `cmd-${name}`);
  for (const f of [gate, cmdGate]) if (!existsSync(f)) spawnSync('mkfifo', [f]);
  let out = '';
  const child = spawn(shell, ['-c', buildSectionScript(SECTIONS, 'n0nce')], {
    env: {
      PATH: process.env.PATH ?? '',
      TMPDIR: dir,
      GATE: gate,
      CMD_GATE: cmdGate,
      COUNT: join(dir, 'count'),
      // Looks at the other poller's turn without end: the test, not a budget, decides when that turn is over.
      LV_SH_LOOKS: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  shells.push(child);
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  let closed = false;
  child.on('close', () => (closed = true));
  const done = until(() => closed, `the poll ${name} to end`).then(() => out);
  return { done, out: () => out };
}

/** Let a held poll (or command) go on. */
const open = (name: string, what: 'gate' | 'cmd') => release(join(dir, `${what}-${name}`));

const runs = () => linesIn(join(dir, 'count'));

const stats = (stdout: string) => splitSectionOutput(stdout, 'n0nce').get('stats');

/**
 * Two bash polls begun at once; a goes on and runs the shared command, holding the turn while it runs (held there
 * until the test opens `cmd-a`); b then reaches the shared command and waits its turn.
 */
async function bWaitsOnA(aEnv: Record<string, string> = {}): Promise<{ a: Poll; b: Poll }> {
  const a = poll('bash', 'a', aEnv);
  const b = poll('bash', 'b');
  await open('a', 'gate');
  await until(() => runs() === 1, 'the first run');
  await open('b', 'gate');
  await until(() => b.out().includes('begin stats'), 'the second poll to reach the shared command');
  return { a, b };
}

describe('a shared command between pollers side by side', () => {
  it('runs once for two polls: the one that waited its turn prints the reading begun after its own poll began', async () => {
    const { a, b } = await bWaitsOnA();
    await open('a', 'cmd');
    const [outA, outB] = await Promise.all([a.done, b.done]);
    expect(runs()).toBe(1);
    expect(stats(outA)).toMatchObject({ exitCode: 0, stderr: '' });
    expect(stats(outA)!.stdout).toMatch(/^reading by \d+\n$/);
    expect(stats(outB)).toEqual(stats(outA));
  });

  it('runs again for a poll that began after the last reading did: never an older reading', async () => {
    const a = poll('bash', 'a');
    await open('a', 'gate');
    await open('a', 'cmd');
    const outA = await a.done;
    const b = poll('bash', 'b');
    await open('b', 'gate');
    await open('b', 'cmd');
    const outB = await b.done;
    expect(runs()).toBe(2);
    expect(stats(outB)!.stdout).toMatch(/^reading by \d+\n$/);
    expect(stats(outB)!.stdout).not.toBe(stats(outA)!.stdout);
  });

  it('never takes a reading stamped after now (a clock set back since): the poll runs the command', async () => {
    const future = (Date.now() + 600_000) * 1000;
    writeFileSync(join(dir, '.lvstop-c-stats'), `reading by old\n\n@@lvstop-read ${future}\n`);
    const a = poll('bash', 'a');
    await open('a', 'gate');
    await open('a', 'cmd');
    const outA = await a.done;
    expect(runs()).toBe(1);
    expect(stats(outA)!.stdout).toMatch(/^reading by \d+\n$/);
  });

  it('two polls that both took the turn each print their own reading; only the one the lock names keeps its', async () => {
    // Taking the turn is a write and a read back, not an atomic take: a shell held up between finding the lock free
    // and writing its number can take a turn already taken. Emptying the lock while a's command runs does the same.
    const { a, b } = await bWaitsOnA();
    writeFileSync(join(dir, '.lvstop-c-stats.lock'), '');
    await until(() => runs() === 2, 'b to take the turn and run the command');
    await open('a', 'cmd');
    const outA = await a.done;
    await open('b', 'cmd');
    const outB = await b.done;
    const [readingA, readingB] = [stats(outA)!.stdout, stats(outB)!.stdout];
    expect(readingA).toMatch(/^reading by \d+\n$/);
    expect(readingB).toMatch(/^reading by \d+\n$/);
    expect(readingB).not.toBe(readingA);
    expect(readFileSync(join(dir, '.lvstop-c-stats'), 'utf8')).toMatch(
      new RegExp(`^${readingB}\n@@lvstop-read \\d+\n$`),
    );
  });

  it('keeps no reading that failed: the poll that waited runs the command itself', async () => {
    const { a, b } = await bWaitsOnA({ RC: '3' });
    await open('a', 'cmd');
    await until(() => runs() === 2, 'the second run');
    await open('b', 'cmd');
    const [outA, outB] = await Promise.all([a.done, b.done]);
    expect(stats(outA)).toMatchObject({ exitCode: 3 });
    expect(stats(outB)).toMatchObject({ exitCode: 0 });
    expect(stats(outB)!.stdout).not.toBe(stats(outA)!.stdout);
  });

  it('under sh runs the command in every poll, its output framed as under bash', async () => {
    const a = poll('sh', 'a');
    const b = poll('sh', 'b');
    await open('a', 'gate');
    await open('b', 'gate');
    await until(() => runs() === 2, 'both runs');
    await open('a', 'cmd');
    await open('b', 'cmd');
    const [outA, outB] = await Promise.all([a.done, b.done]);
    expect(stats(outA)).toMatchObject({ exitCode: 0, stderr: '' });
    expect(stats(outB)!.stdout).toMatch(/^reading by \d+\n$/);
    expect(stats(outB)!.stdout).not.toBe(stats(outA)!.stdout);
  });
});
