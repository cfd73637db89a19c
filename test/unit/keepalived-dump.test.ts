import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEPALIVED_DUMP_SCRIPT } from '../../collectors/keepalived-dump-script.js';
import { interpretKeepalived } from '../../collectors/keepalived.js';
import { buildSectionScript, splitSectionOutput } from '../../src/transport/section-script.js';

/**
 * The dump script against a real keepalived (Debian's) running one VRRP instance in a throwaway network and mount
 * namespace, as it runs on a director: fresh dumps only, a stopped keepalived told at once, a dead one as not running.
 */
const run = promisify(execFile);
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/keepalived') && existsSync('/usr/bin/nsenter');
const ns = `lvstop-kadump-${process.pid}`;
let work = '';
let keepalived: ChildProcess | undefined;

const pidOf = () => Number(readFileSync(join(work, 'k.pid'), 'utf8').trim());

/** The script as a poll runs it: an inline section of a section script, in `shell` (bash, or a plain sh). */
async function dumpIn(
  shell: 'sh' | 'bash',
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const pid = String(pidOf());
  const script = buildSectionScript(
    [{ id: 'keepalived', script: KEEPALIVED_DUMP_SCRIPT, args, inline: true }],
    'n0nce',
  );
  const r = await run('nsenter', ['-t', pid, '-m', '-n', shell, '-c', script], { timeout: 30_000 });
  const out = splitSectionOutput(r.stdout, 'n0nce').get('keepalived');
  if (!out) throw new Error(`no keepalived section in: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  return { code: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
}
const dump = (...args: string[]) => dumpIn('sh', ...args);

/** Who holds the pollers' lock in keepalived's /tmp: a shell's number, or '' when free (or never made). */
const lockHolder = () =>
  execFileSync('nsenter', ['-t', String(pidOf()), '-m', 'sh', '-c', 'cat /tmp/.lvstop-ka.lock 2>/dev/null || true'], {
    encoding: 'utf8',
  }).trim();

/**
 * Whether a plain-sh run of the dump script is in its long wait: a `sleep 0.5` started by it (in sh, each look's wait
 * is a sleep process; only the long wait's looks are half a second).
 */
function inLongWait(): boolean {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== 'sleep\u00000.5\u0000') continue;
      const ppid = readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[1];
      if (readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes('keepalived dump slow')) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within 30 s: ${what}`);
}

describe.skipIf(!canRun)('keepalived dump script on a real keepalived', () => {
  beforeAll(async () => {
    work = mkdtempSync('/var/tmp/lvstop-kadump.');
    writeFileSync(
      join(work, 'keepalived.conf'),
      `global_defs {\n  router_id lvstop-dump-test\n}\nvrrp_instance VI_WEB {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    10.77.0.40/24\n  }\n}\n`,
    );
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
    for (const dev of ['lo', 'eth0', 'eth0p']) execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    execFileSync('ip', ['-n', ns, 'addr', 'add', '10.77.0.1/24', 'dev', 'eth0']);
    keepalived = spawn(
      'ip',
      [
        ...['netns', 'exec', ns, 'unshare', '-m', 'sh', '-c'],
        `mount -t tmpfs tmpfs /tmp && exec keepalived -f ${work}/keepalived.conf -p ${work}/k.pid -r ${work}/v.pid -c ${work}/c.pid -l -n`,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => existsSync(join(work, 'k.pid')) && existsSync(join(work, 'v.pid')), 'keepalived started');
    await waitFor(
      () => execFileSync('ip', ['-n', ns, '-j', 'addr', 'show', 'eth0'], { encoding: 'utf8' }).includes('10.77.0.40'),
      'keepalived became MASTER',
    );
  });

  afterAll(() => {
    if (work && existsSync(join(work, 'k.pid'))) {
      const pid = pidOf();
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    keepalived?.kill('SIGKILL');
    try {
      for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean))
        process.kill(Number(pid), 'SIGKILL');
    } catch {
      // namespace already empty
    }
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // not created
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(['sh', 'bash'] as const)(
    'prints fresh JSON and data dumps, never a stale file left in /tmp (%s)',
    async (shell) => {
      const pid = pidOf();
      // A stale dump from long ago: the script must wait for keepalived's new one, not print this.
      execFileSync('nsenter', [
        ...['-t', String(pid), '-m', 'sh', '-c'],
        'echo stale-json >/tmp/keepalived.json; echo stale-data >/tmp/keepalived.data; touch -d @1000000000 /tmp/keepalived.json /tmp/keepalived.data',
      ]);
      const r = await dumpIn(shell, join(work, 'k.pid'), '', '', '', '');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('stale-');
      expect(r.stderr).toMatch(/^signums \d+ \d+$/m);
      const reading = interpretKeepalived(
        new Map([['keepalived', { id: 'keepalived', stdout: r.stdout, stderr: r.stderr, exitCode: 0 }]]),
      );
      expect(reading).toMatchObject({ status: 'ok', source: 'json' });
      expect(reading.status === 'ok' && reading.instances[0]).toMatchObject({
        name: 'VI_WEB',
        vrid: 51,
        state: 'MASTER',
      });
    },
  );

  it.each(['sh', 'bash'] as const)(
    'gives pollers side by side each a whole, fresh dump (%s): they take turns, and leave the lock free',
    async (shell) => {
      const rounds = 6;
      const poller = async () => {
        const readings = [];
        for (let i = 0; i < rounds; i++) {
          const r = await dumpIn(shell, join(work, 'k.pid'), '', '', '', '');
          readings.push(
            interpretKeepalived(
              new Map([['keepalived', { id: 'keepalived', stdout: r.stdout, stderr: r.stderr, exitCode: r.code }]]),
            ),
          );
        }
        return readings;
      };
      const all = (await Promise.all([poller(), poller(), poller()])).flat();
      expect(all).toHaveLength(3 * rounds);
      for (const reading of all) {
        // Both dumps read whole: the JSON parsed, and the data dump's instance beside it (not a JSON-only reading).
        expect(reading).toMatchObject({ status: 'ok', instances: [{ name: 'VI_WEB', state: 'MASTER' }] });
        expect(reading).not.toHaveProperty('partial');
      }
      expect(lockHolder()).toBe('');
    },
    60_000,
  );

  it('waits its turn while another live poller holds the lock, then reads anyway, leaving that lock alone', async () => {
    // This test's own process stands for a poller that holds the lock and is still alive.
    execFileSync('nsenter', ['-t', String(pidOf()), '-m', 'sh', '-c', `echo ${process.pid} >/tmp/.lvstop-ka.lock`]);
    try {
      const started = Date.now();
      const r = await dumpIn('bash', join(work, 'k.pid'), '', '', 'json', '');
      expect(r.code).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(lockHolder()).toBe(String(process.pid));
    } finally {
      execFileSync('nsenter', ['-t', String(pidOf()), '-m', 'rm', '-f', '/tmp/.lvstop-ka.lock']);
    }
  });

  it('takes over a lock whose holder is gone', async () => {
    execFileSync('nsenter', ['-t', String(pidOf()), '-m', 'sh', '-c', 'echo 999999 >/tmp/.lvstop-ka.lock']);
    const r = await dumpIn('bash', join(work, 'k.pid'), '', '', 'json', '');
    expect(r.code).toBe(0);
    expect(lockHolder()).toBe('');
  });

  it.each(['sh', 'bash'] as const)(
    'reads the dump another poller made after its poll began, without signalling keepalived again (%s)',
    async (shell) => {
      const inNs = (cmd: string) =>
        execFileSync('nsenter', ['-t', String(pidOf()), '-m', 'sh', '-c', cmd], { encoding: 'utf8' }).trim();
      const jsonTime = () => inNs('stat -c %.9Y /tmp/keepalived.json');
      // This test's process holds the lock, as a live poller between its signal and the end of its read.
      inNs(`rm -f /tmp/.lvstop-ka-[0-9]*; echo ${process.pid} >/tmp/.lvstop-ka.lock`);
      try {
        const waiting = dumpIn(shell, join(work, 'k.pid'), '', '', 'json', '');
        // The waiting poll has begun (its mark is made); the holder's signal comes after it.
        await waitFor(() => inNs('ls /tmp/.lvstop-ka-[0-9]* 2>/dev/null || true') !== '', 'the waiting poll began');
        const before = jsonTime();
        process.kill(pidOf(), Number(execFileSync('keepalived', ['--signum=JSON'], { encoding: 'utf8' }).trim()));
        await waitFor(() => jsonTime() !== before, 'keepalived wrote the JSON dump');
        const written = jsonTime();
        await new Promise((r) => setTimeout(r, 50));
        inNs(': >/tmp/.lvstop-ka.lock');
        const r = await waiting;
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/^keepalived dump shared: written for another poller since this poll began$/m);
        expect(jsonTime()).toBe(written);
        const reading = interpretKeepalived(
          new Map([['keepalived', { id: 'keepalived', stdout: r.stdout, stderr: r.stderr, exitCode: r.code }]]),
        );
        expect(reading).toMatchObject({ status: 'ok', instances: [{ name: 'VI_WEB', state: 'MASTER' }] });
        expect(lockHolder()).toBe('');
      } finally {
        inNs('rm -f /tmp/.lvstop-ka.lock');
      }
    },
  );

  it('says at once that a stopped (SIGSTOP) keepalived is not answering', async () => {
    const pid = pidOf();
    process.kill(pid, 'SIGSTOP');
    // The kernel stops the process when it next runs: on a busy machine that is not at once.
    await waitFor(() => /\) [Tt] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), 'keepalived stopped');
    try {
      const r = await dump(join(work, 'k.pid'), '', '', 'json', '');
      expect(r.code).toBe(7);
      expect(r.stderr).toContain(`keepalived not answering: pid ${pid} is stopped`);
      const reading = interpretKeepalived(
        new Map([['keepalived', { id: 'keepalived', stdout: r.stdout, stderr: r.stderr, exitCode: r.code }]]),
      );
      expect(reading).toEqual({ status: 'timeout', message: expect.stringContaining('not answering') });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await dump(join(work, 'k.pid'), '', '', 'json', '')).code).toBe(0);
  });

  it('reports a VRRP child that writes no dump as not answering, within the wait budget', async () => {
    // The parent answers signals but the VRRP process that writes the dumps is stopped.
    const vrrp = Number(readFileSync(join(work, 'v.pid'), 'utf8').trim());
    process.kill(vrrp, 'SIGSTOP');
    try {
      const r = await dump(join(work, 'k.pid'), '', '', 'json', '');
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('wrote no dump within 1.55 s');
    } finally {
      process.kill(vrrp, 'SIGCONT');
    }
  });

  it('says when a dump needed the long wait: a VRRP child that answers only once the short wait is over', async () => {
    const vrrp = Number(readFileSync(join(work, 'v.pid'), 'utf8').trim());
    process.kill(vrrp, 'SIGSTOP');
    // The signals the script sends wait in the stopped child; it writes the dumps once it runs again. It runs again
    // when the script is seen in its long wait (however long a busy machine took to get there), not at a set time.
    let resumed = false;
    try {
      const answer = dump(join(work, 'k.pid'), '', '', 'json', 'long');
      await waitFor(inLongWait, 'the dump script in its long wait');
      process.kill(vrrp, 'SIGCONT');
      resumed = true;
      const r = await answer;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^keepalived dump slow: written after more than 1.55 s$/m);
      expect(interpretKeepalived(new Map([['keepalived', { id: 'keepalived', ...r, exitCode: 0 }]]))).toMatchObject({
        status: 'ok',
        instances: [{ name: 'VI_WEB' }],
      });
    } finally {
      if (!resumed) process.kill(vrrp, 'SIGCONT');
    }
    // Answered in time: no word of a slow dump.
    expect((await dump(join(work, 'k.pid'), '', '', 'json', 'long')).stderr).not.toContain('dump slow');
  });

  it.each(['sh', 'bash'] as const)(
    'gives the VRRP reading without a checker view when no checker dump comes in time, and says so (%s)',
    async (shell) => {
      // A checkers.pid beside the pid file says keepalived runs checkers; this one runs no checker process (it has no
      // virtual_server), so no /tmp/keepalived_check.data is ever written: the script must not print a missing file.
      const checkers = join(work, 'checkers.pid');
      writeFileSync(checkers, '999999\n');
      try {
        const r = await dumpIn(shell, join(work, 'k.pid'), '', '', '', '');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('@@keepalived-data');
        expect(r.stdout).not.toContain('@@keepalived-check');
        expect(r.stderr).toMatch(/^keepalived checker dump late: the checker process wrote none in time$/m);
      } finally {
        rmSync(checkers);
      }
    },
  );

  it('reports keepalived as not running when its pid is gone', async () => {
    const file = join(work, 'gone.pid');
    writeFileSync(file, '999999\n');
    const r = await dump(file, '', '', '', '');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('pid 999999 from');
  });
});
