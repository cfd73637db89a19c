import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNCHANGED } from '../../collectors/section.js';
import { buildSectionScript, keptSections, sectionPoll, SectionStream, splitSectionOutput } from './section-script.js';

const run = (script: string, shell = 'sh') =>
  execFileSync(shell, ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } });

describe('section script (run by a real sh)', () => {
  it.each(['sh', 'bash'])('frames stdout, stderr and exit code of each section under %s', (shell) => {
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
    const out = splitSectionOutput(run(script, shell), 'n0nce');
    expect([...out.keys()]).toEqual(['ok', 'no-newline', 'fails', 'missing', 'guarded', 'killed']);
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

  it.each(['sh', 'bash'])('reads only the first lines of a file when asked, and inline scripts, under %s', (shell) => {
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
    const out = splitSectionOutput(run(script, shell), 'n0nce');
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

  it.each(['sh', 'bash'])('prints the last lines of a log as tail does, under %s', (shell) => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-tail-'));
    const log = join(dir, 'notify.log');
    const empty = join(dir, 'empty.log');
    writeFileSync(log, Array.from({ length: 30 }, (_, i) => `${1700000000 + i} VI_WEB MASTER\n`).join(''));
    writeFileSync(empty, '');
    const script = buildSectionScript(
      [
        { id: 'last', file: log, lastLines: 3 },
        { id: 'empty', file: empty, lastLines: 3 },
        { id: 'missing', file: join(dir, 'gone.log'), lastLines: 3 },
      ],
      'n0nce',
    );
    const out = splitSectionOutput(execFileSync(shell, ['-c', script], { encoding: 'utf8' }), 'n0nce');
    const tail = execFileSync('tail', ['-n', '3', log], { encoding: 'utf8' });
    expect(out.get('last')).toEqual({ id: 'last', stdout: tail, stderr: '', exitCode: 0 });
    expect(out.get('empty')).toEqual({ id: 'empty', stdout: '', stderr: '', exitCode: 0 });
    expect(out.get('missing')?.exitCode).toBe(1);
    rmSync(dir, { recursive: true });
  });

  it.each(['sh', 'bash'])(
    'finds processes by exact name as pgrep -x does, without a process, under %s',
    async (shell) => {
      // A program of our own with a name no other process has.
      const dir = mkdtempSync(join(tmpdir(), 'lvstop-pgrep-'));
      const name = `lvz${shell}${process.pid}`.slice(0, 15);
      const program = join(dir, name);
      execFileSync('cp', ['/bin/sleep', program]);
      const child = spawn(program, ['30'], { stdio: 'ignore' });
      try {
        const script = buildSectionScript(
          [
            { id: 'ours', processNamed: name },
            { id: 'none', processNamed: `${name}x` },
          ],
          'n0nce',
        );
        const out = splitSectionOutput(execFileSync(shell, ['-c', script], { encoding: 'utf8' }), 'n0nce');
        expect(out.get('ours')).toEqual({ id: 'ours', stdout: `${child.pid}\n`, stderr: '', exitCode: 0 });
        expect(out.get('none')).toEqual({ id: 'none', stdout: '', stderr: '', exitCode: 1 });
      } finally {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
        rmSync(dir, { recursive: true });
      }
    },
  );

  it.each(['sh', 'bash'])(
    'remembers the process it found: the next poll in that shell reads its one comm file, a new one after it is gone, under %s',
    async (shell) => {
      const dir = mkdtempSync(join(tmpdir(), 'lvstop-pgrep-'));
      const name = `lvy${shell}${process.pid}`.slice(0, 15);
      const program = join(dir, name);
      execFileSync('cp', ['/bin/sleep', program]);
      const first = spawn(program, ['30'], { stdio: 'ignore' });
      // The second process starts when the shell says so: after the first poll, before the first process is gone.
      const fifo = join(dir, 'go');
      execFileSync('mkfifo', [fifo]);
      const poll = sectionPoll([{ id: 'ours', processNamed: name }]);
      const script = [
        poll.definition,
        poll.call('p1'),
        'echo "remembered $LV_PID_ours"',
        `${program} 31 & echo "second $!"`,
        poll.call('p2'),
        `read -r _ <${fifo}`,
        poll.call('p3'),
        'echo "remembered $LV_PID_ours"',
        'kill $!',
      ].join('\n');
      const child = spawn(shell, ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      let ended = false;
      const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => (ended = true));
      try {
        // Wait for the second poll, then end the first process and let the shell poll again.
        while (!stdout.includes('@@LVSTOP:p2:end ours') && !ended) await new Promise((r) => setTimeout(r, 20));
        const gone = new Promise((resolve) => first.once('exit', resolve));
        first.kill('SIGKILL');
        await gone;
        writeFileSync(fifo, 'go\n');
        await exited;
        const second = Number(/^second (\d+)$/m.exec(stdout)?.[1]);
        const read = (nonce: string) => splitSectionOutput(stdout, nonce).get('ours');
        expect(read('p1')).toEqual({ id: 'ours', stdout: `${first.pid}\n`, stderr: '', exitCode: 0 });
        // Both run now; the remembered one is read alone.
        expect(read('p2')).toEqual({ id: 'ours', stdout: `${first.pid}\n`, stderr: '', exitCode: 0 });
        // The remembered one is gone: every process is read again, and the other one found and remembered.
        expect(read('p3')).toEqual({ id: 'ours', stdout: `${second}\n`, stderr: '', exitCode: 0 });
        expect(stdout.match(/^remembered (\d+)$/gm)).toEqual([`remembered ${first.pid}`, `remembered ${second}`]);
      } finally {
        first.kill('SIGKILL');
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true });
      }
    },
  );

  it('under bash, skips a command whose sources read the same, and the kept output stands for it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-unchanged-'));
    const source = join(dir, 'addresses');
    writeFileSync(source, '10.0.0.1\n');
    const sections = [
      { id: 'addr', argv: ['cat', source], unlessUnchanged: { files: [source], refreshSec: 30 } },
      { id: 'other', argv: ['echo', 'always'] },
    ];
    const first = sectionPoll(sections);
    const poll = sectionPoll(sections, { cached: new Set(['addr']) });
    // One shell, four polls: the first (nothing kept yet), the same again, after a change, and the same again.
    const script = [
      first.definition,
      poll.definition,
      first.call('p1'),
      poll.call('p2'),
      `echo 10.0.0.2 >${source}`,
      poll.call('p3'),
      poll.call('p4'),
    ].join('\n');
    const stdout = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    const kept = keptSections(sections, new Map());
    const read = (nonce: string) => {
      const stream = new SectionStream(nonce, undefined, kept);
      stream.push(stdout);
      return stream.sections.get('addr');
    };
    const raw = (nonce: string) => splitSectionOutput(stdout, nonce).get('addr')?.exitCode;
    expect([raw('p1'), raw('p2'), raw('p3'), raw('p4')]).toEqual([0, UNCHANGED, 0, UNCHANGED]);
    expect(read('p1')?.stdout).toBe('10.0.0.1\n');
    expect(read('p2')).toEqual({ id: 'addr', stdout: '10.0.0.1\n', stderr: '', exitCode: 0 });
    expect(read('p3')?.stdout).toBe('10.0.0.2\n');
    expect(read('p4')?.stdout).toBe('10.0.0.2\n');
    expect(splitSectionOutput(stdout, 'p4').get('other')?.stdout).toBe('always\n');
    // A plain sh has no way to compare without a process: it always runs the command.
    const sh = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(['p1', 'p2', 'p3', 'p4'].map((n) => splitSectionOutput(sh, n).get('addr')?.exitCode)).toEqual([0, 0, 0, 0]);
    rmSync(dir, { recursive: true });
  });

  it('runs the command when the caller kept no output, even if the shell remembers the sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-unchanged-'));
    const source = join(dir, 'addresses');
    writeFileSync(source, '10.0.0.1\n');
    const sections = [{ id: 'addr', argv: ['cat', source], unlessUnchanged: { files: [source], refreshSec: 30 } }];
    const cached = sectionPoll(sections, { cached: new Set(['addr']) });
    const lost = sectionPoll(sections);
    const script = [cached.definition, lost.definition, cached.call('p1'), lost.call('p2')].join('\n');
    const stdout = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(splitSectionOutput(stdout, 'p2').get('addr')).toMatchObject({ stdout: '10.0.0.1\n', exitCode: 0 });
    rmSync(dir, { recursive: true });
  });

  it('runs an inline script as a function in the poll shell: its return ends it, not the poll', () => {
    const script = buildSectionScript(
      [
        { id: 'inline', script: 'echo "$1"; return 4; echo never', args: ['a b'], inline: true },
        { id: 'after', argv: ['echo', 'still running'] },
      ],
      'n0nce',
    );
    for (const shell of ['sh', 'bash']) {
      const out = splitSectionOutput(
        execFileSync(shell, ['-c', `${script}\necho "poll shell still here $?"`], { encoding: 'utf8' }),
        'n0nce',
      );
      expect(out.get('inline')).toEqual({ id: 'inline', stdout: 'a b\n', stderr: '', exitCode: 4 });
      expect(out.get('after')?.stdout).toBe('still running\n');
    }
  });

  it('gives exactly the same sections under bash as under a plain sh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvstop-same-'));
    const lines = join(dir, 'lines');
    const unterminated = join(dir, 'unterminated');
    writeFileSync(lines, Array.from({ length: 40 }, (_, i) => `line ${i}  with  spaces\t\\n\n`).join(''));
    writeFileSync(unterminated, 'first\nlast without newline');
    const script = buildSectionScript(
      [
        { id: 'whole', file: lines },
        { id: 'head', file: lines, maxLines: 5 },
        { id: 'tail', file: lines, lastLines: 5 },
        { id: 'unterminated', file: unterminated },
        { id: 'proc', file: '/proc/version', maxLines: 1 },
        { id: 'empty', file: '/dev/null' },
        { id: 'missing', file: join(dir, 'gone') },
        { id: 'cmd', argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] },
        { id: 'inline', script: 'echo "$#:$1"; return 2', args: ['x y'], inline: true },
      ],
      'n0nce',
    );
    const sh = splitSectionOutput(execFileSync('sh', ['-c', script], { encoding: 'utf8' }), 'n0nce');
    const bash = splitSectionOutput(execFileSync('bash', ['-c', script], { encoding: 'utf8' }), 'n0nce');
    expect(bash.size).toBe(9);
    expect(bash).toEqual(sh);
    expect(bash.get('whole')?.stdout).toBe(readFileSync(lines, 'utf8'));
    expect(bash.get('unterminated')?.stdout).toBe('first\nlast without newline\n');
    rmSync(dir, { recursive: true });
  });
});
