import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/lab.js';
import { scaled } from '../support/until.js';
import { startLablessFleet, type LablessFleet } from '../support/labless-fleet.js';
import { HAVE_TMUX, TmuxScreen } from '../support/tmux.js';

/**
 * The console ends cleanly on SIGHUP (a dropped jump-host session) and SIGTERM while its hosts are down (nothing
 * listens), silent (a TCP port that accepts and never speaks SSH) or slow: exit 0, terminal restored, and not one
 * unhandled rejection or stack trace on stderr.
 */
let dir = '';
let fleet: LablessFleet;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-signals-'));
  // A throwaway key, so each connect goes as far as the missing banner instead of failing on auth before it.
  fleet = await startLablessFleet(dir, { connectTimeoutMs: 2000, withKey: true });
});

afterAll(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

function childPid(panePid: number): number | undefined {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(panePid)], { encoding: 'utf8' }).trim();
  return out ? Number(out.split('\n')[0]) : undefined;
}

// Needs the built console (npm test builds it) and tmux (.ci/run and the lab install it).
describe.skipIf(!existsSync(CLI) || !HAVE_TMUX)('the console ends cleanly on a signal', () => {
  for (const signal of ['SIGHUP', 'SIGTERM'] as const) {
    it(`${signal} with down and silent hosts: exit 0, no unhandled rejection`, async () => {
      const err = join(dir, `${signal}.err`);
      const done = join(dir, `${signal}.done`);
      const screen = new TmuxScreen(
        `signals-${signal}`,
        `sh -c 'node ${CLI} -c ${fleet.config} 2>${err}; echo "exit $?" >${done}'`,
        80,
        24,
      );
      try {
        // Both connects have failed once: refused, and timed out waiting for the banner (connect timeout 2 s).
        await screen.waitFor(
          (s) => /director down +DOWN unreachable/.test(s) && /director silent +DOWN timeout/.test(s),
          30_000,
          'down refused and silent timed out',
        );
        const panePid = Number(
          screen.tmux(['list-panes', '-t', screen.session, '-F', '#{pane_pid}'], { encoding: 'utf8' }).trim(),
        );
        const pid = childPid(panePid);
        expect(pid).toBeGreaterThan(0);
        process.kill(pid!, signal);
        const deadline = Date.now() + scaled(10_000);
        while (!existsSync(done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(existsSync(done)).toBe(true);
        expect(readFileSync(done, 'utf8').trim()).toBe('exit 0');
        const stderr = readFileSync(err, 'utf8');
        expect(stderr).not.toMatch(/unhandled|Error:|\n\s+at /i);
      } finally {
        screen.kill();
      }
    });
  }
});
