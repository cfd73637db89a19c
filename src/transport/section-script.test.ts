import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildSectionScript, splitSectionOutput } from './section-script.js';

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

  it('drops a section that never ended (script killed mid-way)', () => {
    const text = '@@LVSTOP:n:begin a\npartial output\n';
    expect(splitSectionOutput(text, 'n').size).toBe(0);
  });
});
