import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { argvToCommand, quoteArg } from './command-line.js';

describe('argvToCommand', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(quoteArg('ipvsadm')).toBe('ipvsadm');
    expect(quoteArg('-e')).toBe('-e');
    expect(quoteArg('')).toBe("''");
    expect(quoteArg('a b')).toBe("'a b'");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
  });

  it('runs under LC_ALL=C and through sudo -n when asked', () => {
    expect(argvToCommand(['ipvsadm', '-L', '-n'])).toBe('env LC_ALL=C LANG=C ipvsadm -L -n');
    expect(argvToCommand(['true'], { sudo: true })).toBe('sudo -n -- env LC_ALL=C LANG=C true');
  });

  it('round-trips hostile arguments through a real shell unchanged', () => {
    const hostile = ['$(touch /tmp/pwned)', '`id`', 'a\'b"c', 'x; rm -rf /', '\n', '*', '~', '$HOME', 'ünï'];
    const command = argvToCommand(['printf', '%s\\0', ...hostile]);
    const out = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(hostile);
  });

  it('refuses an empty argv', () => {
    expect(() => argvToCommand([])).toThrow(/empty/);
  });
});
