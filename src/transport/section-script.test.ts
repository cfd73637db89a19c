import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSectionScript, SectionStream, splitSectionOutput } from './section-script.js';

const run = (script: string) =>
  execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } });

describe('section script (run by a real sh)', () => {
  it('frames stdout, stderr and exit code of each section', () => {
    const script = buildSectionScript(
      [
        { id: 'ok', argv: ['printf', 'a\nb\n'] },
        { id: 'no-newline', argv: ['printf', 'x'] },
        { id: 'fails', argv: ['sh', '-c', 'echo oops >&2; exit 3'] },
        { id: 'missing', argv: ['/nonexistent/ipvsadm', '-L'] },
        { id: 'guarded', argv: ['echo', 'never'], guard: ['test', '-e', '/nonexistent'] },
        { id: 'killed', argv: ['sleep', '5'], timeoutSec: 1 },
      ],
      'n0nce',
    );
    const out = splitSectionOutput(run(script), 'n0nce');
    expect(out.get('ok')).toEqual({ id: 'ok', stdout: 'a\nb\n', stderr: '', exitCode: 0 });
    expect(out.get('no-newline')?.stdout).toBe('x');
    expect(out.get('fails')).toEqual({ id: 'fails', stdout: '', stderr: 'oops\n', exitCode: 3 });
    expect(out.get('missing')?.exitCode).toBe(127);
    expect(out.get('guarded')).toEqual({ id: 'guarded', stdout: '', stderr: '', exitCode: null });
    expect(out.get('killed')?.exitCode).toBe(137);
  });

  it('ignores markers printed by a command without the nonce', () => {
    const script = buildSectionScript([{ id: 'spoof', argv: ['echo', '@@LVSTOP:other:end spoof 0'] }], 'real');
    const out = splitSectionOutput(run(script), 'real');
    expect(out.get('spoof')).toEqual({ id: 'spoof', stdout: '@@LVSTOP:other:end spoof 0\n', stderr: '', exitCode: 0 });
  });

  it('reads only the first lines of a file when asked, and inline scripts with their arguments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lvstop-rdn-')), 'lines');
    writeFileSync(file, Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join(''));
    const script = buildSectionScript(
      [
        { id: 'head', file, maxLines: 3 },
        { id: 'whole', file },
        { id: 'script', script: 'echo "$1-$2"; exit 4', args: ['a b', "c'd"] },
        { id: 'after', argv: ['echo', 'still running'] },
      ],
      'n0nce',
    );
    const out = splitSectionOutput(run(script), 'n0nce');
    expect(out.get('whole')?.stdout).toBe(readFileSync(file, 'utf8'));
    expect(out.get('head')).toEqual({ id: 'head', stdout: 'line 0\nline 1\nline 2\n', stderr: '', exitCode: 0 });
    rmSync(join(file, '..'), { recursive: true });
    expect(out.get('script')).toEqual({ id: 'script', stdout: "a b-c'd\n", stderr: '', exitCode: 4 });
    expect(out.get('after')?.stdout).toBe('still running\n');
  });

  it('streams: sections are handed over as each ends, whatever the chunk boundaries', () => {
    const script = buildSectionScript(
      [
        { id: 'a', argv: ['printf', 'one\ntwo'] },
        { id: 'b', file: '/proc/uptime' },
      ],
      'n0nce',
    );
    const text = run(script);
    const whole = splitSectionOutput(text, 'n0nce');
    for (const size of [1, 3, 7, 64]) {
      const order: string[] = [];
      const stream = new SectionStream('n0nce', (s) => order.push(s.id));
      for (let i = 0; i < text.length; i += size) stream.push(text.slice(i, i + size));
      expect(order).toEqual(['a', 'b']);
      expect(new Map(stream.sections)).toEqual(whole);
    }
  });

  it('removes files left by killed polls whose shell is gone, never a live one or its own', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'lvstop-leftovers-'));
    const dead = join(tmp, '.lvstop-999999999-0123456789ab');
    const deadKa = join(tmp, '.lvstop-ka-999999998');
    const live = join(tmp, `.lvstop-${process.pid}`);
    for (const f of [dead, deadKa, live]) writeFileSync(f, 'old stderr');
    const script = buildSectionScript([{ id: 'x', argv: ['sh', '-c', 'echo oops >&2'] }], 'n0nce');
    const stdout = execFileSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', TMPDIR: tmp },
    });
    expect(splitSectionOutput(stdout, 'n0nce').get('x')?.stderr).toBe('oops\n');
    expect(readdirSync(tmp)).toEqual([`.lvstop-${process.pid}`]);
    rmSync(tmp, { recursive: true });
  });

  it('drops a section that never ended (script killed mid-way)', () => {
    const text = '@@LVSTOP:n:begin a\npartial output\n';
    expect(splitSectionOutput(text, 'n').size).toBe(0);
  });
});
