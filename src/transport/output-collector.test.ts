import { describe, expect, it } from 'vitest';
import { OutputCollector } from './output-collector.js';
import { MAX_STDERR_BYTES } from './transport.js';

const bytes = (n: number, c = 'a') => Buffer.alloc(n, c);

describe('output collector (every transport: local, SSH exec, long-lived shells)', () => {
  it('keeps stdout and shows each chunk to onStdout, within the cap', () => {
    const seen: string[] = [];
    const o = new OutputCollector('h', { maxOutputBytes: 10, onStdout: (c) => seen.push(c.toString()) });
    expect(o.stdout(Buffer.from('hello '))).toBeUndefined();
    expect(o.stdout(Buffer.from('you!'))).toBeUndefined();
    expect(seen).toEqual(['hello ', 'you!']);
    expect(o.result(0)).toMatchObject({ stdout: 'hello you!', stderr: '', exitCode: 0 });
  });

  it('fails with parse once stdout passes the cap, and takes nothing after', () => {
    const seen: number[] = [];
    const o = new OutputCollector('h', { maxOutputBytes: 10, onStdout: (c) => seen.push(c.length) });
    expect(o.stdout(bytes(8))).toBeUndefined();
    const f = o.stdout(bytes(3));
    expect(f?.detail).toMatchObject({ kind: 'parse', host: 'h', message: 'output exceeded 10 bytes' });
    expect(o.stdout(bytes(1))).toBeUndefined();
    expect(seen).toEqual([8]);
  });

  it('keeps the first MAX_STDERR_BYTES of stderr, cutting the chunk that crosses the limit', () => {
    const o = new OutputCollector('h', {});
    o.stderr(bytes(MAX_STDERR_BYTES - 10, 'e'));
    o.stderr(bytes(100, 'f'));
    o.stderr(bytes(5, 'g'));
    expect(o.stderrText).toBe('e'.repeat(MAX_STDERR_BYTES - 10) + 'f'.repeat(10));
  });

  it('keeps the start of one stderr chunk larger than the limit (an error message is never lost whole)', () => {
    const o = new OutputCollector('h', {});
    o.stderr(Buffer.concat([Buffer.from('fatal: '), bytes(MAX_STDERR_BYTES * 2, 'x')]));
    expect(o.stderrText.length).toBe(MAX_STDERR_BYTES);
    expect(o.stderrText.startsWith('fatal: x')).toBe(true);
  });

  it('ignores what arrives after the command settled: onStdout never sees it', () => {
    const seen: number[] = [];
    const o = new OutputCollector('h', { onStdout: (c) => seen.push(c.length) });
    o.stdout(bytes(3));
    o.stop();
    expect(o.stdout(bytes(4))).toBeUndefined();
    o.stderr(bytes(4));
    expect(seen).toEqual([3]);
    expect(o.stderrText).toBe('');
  });

  it('a caller that keeps stdout itself passes it to the result', () => {
    const o = new OutputCollector('h', {}, { keepStdout: false });
    o.stdout(Buffer.from('raw'));
    expect(o.result(3, undefined, 'as text').stdout).toBe('as text');
    expect(o.result(3, 'KILL').signal).toBe('KILL');
  });

  it('with keepStdout false in the options, stdout goes to onStdout only: a long output is never held', () => {
    let seen = 0;
    const o = new OutputCollector('h', { maxOutputBytes: 1e9, keepStdout: false, onStdout: (c) => (seen += c.length) });
    for (let i = 0; i < 4; i++) expect(o.stdout(bytes(1024))).toBeUndefined();
    expect(seen).toBe(4096);
    expect(o.result(0).stdout).toBe('');
  });
});
