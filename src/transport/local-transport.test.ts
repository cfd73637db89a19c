import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureOf } from '../../test/support/failure-of.js';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/frames.js';
import { scaled } from '../../test/support/until.js';
import { LocalTransport } from './local-transport.js';
import { MAX_STDERR_BYTES } from './transport.js';

const dir = mkdtempSync(join(tmpdir(), 'lvstop-local-'));
const transport = new LocalTransport('here');
afterAll(async () => {
  await transport.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A process is gone when /proc has no entry for it, or only a zombie waiting for its reaper. */
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('local transport', () => {
  it('survives a command that exits without reading its stdin (EPIPE)', async () => {
    // 256 KiB of stdin (four pipe buffers) for `true`, which exits at once: our write fails with EPIPE every time.
    const stdin = 'x'.repeat(256 * 1024);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => transport.exec(['true'], { timeoutMs: 10_000, stdin })),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
  });

  it('ends the whole process group on timeout, even when a grandchild holds stdout', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const started = Date.now();
    const f = await failureOf(
      transport.exec(['sh', '-c', `sleep 120 & echo $! > ${pidFile}; sleep 120`], { timeoutMs: 1000 }),
    );
    const elapsed = Date.now() - started;
    expect(f.detail.kind).toBe('timeout');
    expect(elapsed).toBeLessThan(scaled(1800));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    // SIGKILL is sent at the timeout; the kernel takes a moment to end the process.
    await eventually(() => isGone(grandchild), 2000);
  });

  it('answers when the command exits although a process it left behind still holds stdout', async () => {
    const started = Date.now();
    const r = await transport.exec(['sh', '-c', 'sleep 60 & echo done'], { timeoutMs: 50_000 });
    expect(r.stdout).toBe('done\n');
    expect(r.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(scaled(3000));
  });

  it('times out a `tail -f` instead of hanging', async () => {
    const log = join(dir, 'notify.log');
    writeFileSync(log, 'line\n');
    const started = Date.now();
    const f = await failureOf(transport.exec(['tail', '-n', '20', '-f', log], { timeoutMs: 1000 }));
    expect(f.detail.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(scaled(1800));
  });

  it('keeps at most MAX_STDERR_BYTES of stderr', async () => {
    const r = await transport.exec(['sh', '-c', 'head -c 2000000 /dev/zero >&2; echo ok'], { timeoutMs: 20_000 });
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr.length).toBe(MAX_STDERR_BYTES);
  });

  it('fails with parse once stdout passes its cap, and kills the writer', async () => {
    const f = await failureOf(transport.exec(['cat', '/dev/zero'], { timeoutMs: 10_000, maxOutputBytes: 100_000 }));
    expect(f.detail.kind).toBe('parse');
  });

  it('reports a command that does not exist as not-found', async () => {
    const f = await failureOf(transport.exec(['/nonexistent/ipvsadm', '-L'], { timeoutMs: 5000, stdin: 'x' }));
    expect(f.detail.kind).toBe('not-found');
  });

  it('close() ends running commands at once', async () => {
    const own = new LocalTransport('own');
    let started = false;
    const running = failureOf(
      own.exec(['sh', '-c', 'echo started; exec sleep 120'], { timeoutMs: 110_000, onStdout: () => (started = true) }),
    );
    await eventually(() => started, 5000);
    const closing = Date.now();
    await own.close();
    expect((await running).detail.kind).toBe('closed');
    expect(Date.now() - closing).toBeLessThan(scaled(1000));
  });
});
