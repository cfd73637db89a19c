import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Section } from '../../collectors/section.js';
import { buildSectionScript, SectionStream, splitSectionOutput } from './section-script.js';

/** A poll of quick sections (files in /proc, a process by name), as a real server's poll is. */
const QUICK: readonly Section[] = [
  { id: 'loadavg', file: '/proc/loadavg' },
  { id: 'uptime', file: '/proc/uptime' },
  { id: 'meminfo', file: '/proc/meminfo', maxLines: 5 },
  { id: 'version', file: '/proc/version' },
  { id: 'init', processNamed: 'no-such-process' },
  { id: 'status', file: '/proc/self/status', lastLines: 3 },
];

/** The write(2) calls the shell made to its stdout while running `script`, counted by strace. */
function stdoutWrites(shell: string, script: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'lvstop-writes-'));
  try {
    const log = join(dir, 'trace');
    execFileSync('strace', ['-f', '-e', 'trace=write', '-o', log, shell, '-c', script], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => /write\(1,/.test(l)).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasStrace = existsSync('/usr/bin/strace');

describe('section script output: how often it writes', () => {
  it.skipIf(!hasStrace)('under bash writes a poll of quick sections at once; under sh as each comes', () => {
    // A poll's shell is long-lived and has written before: its stdio buffer is set up (glibc writes a line-buffered
    // stream's very first output a line at a time).
    const script = `printf '%s\\n' ready\n${buildSectionScript(QUICK, 'n0nce')}`;
    const bash = stdoutWrites('bash', script);
    const sh = stdoutWrites('sh', script);
    // Each write wakes the sshd that relays it: one for the whole poll under bash (and one for `ready`).
    expect(bash).toBe(2);
    expect(sh).toBeGreaterThan(QUICK.length);
    // The same sections either way (their text is /proc's of the moment: compared by id and exit code).
    const framed = (shell: string) =>
      [...splitSectionOutput(execFileSync(shell, ['-c', script], { encoding: 'utf8' }), 'n0nce').values()].map(
        (o) => `${o.id} ${o.exitCode} ${o.stdout.length > 0}`,
      );
    expect(framed('bash')).toEqual(framed('sh'));
    expect(framed('bash')).toHaveLength(QUICK.length);
  });

  it.each(['bash', 'sh'])(
    'sends what was read before a command starts, so a slow command delays only itself (%s)',
    async (shell) => {
      const dir = mkdtempSync(join(tmpdir(), 'lvstop-slow-'));
      const gate = join(dir, 'gate');
      execFileSync('mkfifo', [gate]);
      // The command waits on a FIFO the test opens only once every quick section has come.
      const script = buildSectionScript(
        [
          ...QUICK,
          { id: 'slow', argv: ['sh', '-c', 'read -r _ <"$0"; echo done', gate] },
          { id: 'after', file: '/proc/uptime' },
        ],
        'n0nce',
      );
      const child = spawn(shell, ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
      const stream = new SectionStream('n0nce');
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => stream.push(chunk));
      const ended = new Promise((r) => child.on('close', r));
      try {
        for (let i = 0; i < 400 && !QUICK.every((s) => stream.sections.has(s.id)); i++)
          await new Promise((r) => setTimeout(r, 25));
        expect([...stream.sections.keys()]).toEqual(QUICK.map((s) => s.id));
      } finally {
        writeFileSync(gate, 'go\n');
        await ended;
        rmSync(dir, { recursive: true, force: true });
      }
      expect(stream.sections.get('slow')?.stdout).toBe('done\n');
      expect(stream.sections.has('after')).toBe(true);
    },
  );
});
