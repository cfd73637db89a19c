import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/lab.js';
import { scaled } from '../support/until.js';
import { startLablessFleet, type LablessFleet } from '../support/labless-fleet.js';
import { HAVE_TMUX, TmuxScreen } from '../support/tmux.js';

/**
 * The console and `lvstop attach` end cleanly when their terminal goes away (tmux kill-session closes the pty, as sshd
 * does when the session to the jump host drops): exit 0, one `terminal-lost` debug line, the console's connections
 * closed, and on stderr no unhandled error, no stack trace and no native assertion (Node aborts in node::ResetStdio
 * when it cannot restore a hung-up tty at exit).
 */
let dir = '';
let fleet: LablessFleet;
let serve: ChildProcess | undefined;
const screens: TmuxScreen[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-terminal-loss-'));
  // With a key, `silent` has a connect under way when the terminal goes. The fleet's stop waits for it to time out
  // (closing does not end a client that has not had the server's banner yet): kept short so each case ends in ~3 s.
  fleet = await startLablessFleet(dir, { connectTimeoutMs: 3000, withKey: true });
  // The pane runs this (`run.sh NAME ARGS...`): lvstop in the foreground, then its exit status into NAME.done. The
  // shell ignores the hang-up until lvstop has exited, so it lives to write the status.
  writeFileSync(
    join(dir, 'run.sh'),
    `trap : HUP\nd=${dir}/$1\nshift\nnode ${CLI} --debug $d.debug "$@" 2>$d.err\necho "exit $?" >$d.done\n`,
  );
});

afterAll(async () => {
  screens.forEach((s) => s.kill());
  // Serve closes its connections on SIGTERM: wait for it before its directory goes.
  const served = serve;
  if (served && served.exitCode === null && served.signalCode === null)
    await new Promise((r) => {
      served.once('exit', r);
      served.kill('SIGTERM');
    });
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitForFile(file: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + scaled(timeoutMs);
  while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return existsSync(file);
}

const RUN = { console: () => `-c ${fleet.config}`, attach: () => `attach ${dir}/serve.sock` };
const PANE = {
  /** run.sh leads the pane's session and survives the hang-up, so the kernel signals nobody else. */
  alone: (name: string, args: string) => `sh ${dir}/run.sh ${name} ${args}`,
  /**
   * As with a dropped SSH login: the pane's shell dies of the hang-up and the kernel sends SIGHUP to its process
   * group, lvstop included. lvstop sees the EOF first and the signal while it shuts down: one loss, not killed by it.
   */
  underShell: (name: string, args: string) => `sh -c 'sh ${dir}/run.sh ${name} ${args}; true'`,
};
const ON_TERMINAL = /^terminal-lost reason=(end stream=stdin|EIO stream=std(out|err))$/;
const ON_TERMINAL_OR_SIGHUP = /^terminal-lost reason=(SIGHUP|end stream=stdin|EIO stream=std(out|err))$/;

const CASES = [
  {
    name: 'pty-closed',
    what: 'the console, pty closed and no signal',
    run: 'console',
    pane: 'alone',
    lost: ON_TERMINAL,
  },
  {
    name: 'sighup',
    what: 'the console, SIGHUP with the terminal gone',
    run: 'console',
    pane: 'underShell',
    lost: ON_TERMINAL_OR_SIGHUP,
  },
  {
    name: 'attach',
    what: 'lvstop attach, SIGHUP with the terminal gone',
    run: 'attach',
    pane: 'underShell',
    lost: ON_TERMINAL_OR_SIGHUP,
  },
] as const;

// Needs the built console (npm test builds it) and tmux (.ci/run and the lab install it).
describe.skipIf(!existsSync(CLI) || !HAVE_TMUX)('the console ends cleanly when its terminal goes away', () => {
  beforeAll(async () => {
    serve = spawn('node', [CLI, '-c', fleet.config, 'serve', '--socket', join(dir, 'serve.sock')], {
      stdio: 'ignore',
    });
    expect(await waitForFile(join(dir, 'serve.sock'), 15_000), 'serve listens').toBe(true);
  });

  for (const c of CASES) {
    it(
      c.what,
      async () => {
        const base = join(dir, c.name);
        const screen = new TmuxScreen(`terminal-loss-${c.name}`, PANE[c.pane](c.name, RUN[c.run]()), 80, 24);
        screens.push(screen);
        await screen.waitFor((s) => s.includes('down') && s.includes('silent'), 30_000, 'both hosts');
        screen.kill();

        expect(await waitForFile(`${base}.done`, 15_000), 'lvstop exited').toBe(true);
        expect(readFileSync(`${base}.done`, 'utf8').trim()).toBe('exit 0');
        const events = readFileSync(`${base}.debug`, 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.replace(/^\S+ /, ''));
        const lost = events.flatMap((e, i) => (e.startsWith('terminal-lost') ? [i] : []));
        expect(lost.map((i) => events[i])).toEqual([expect.stringMatching(c.lost)]);
        // The console's fleet stopped after the loss: every host's transport closed (attach has only its serve's socket).
        if (c.run === 'console')
          expect(events.slice(lost[0]! + 1)).toEqual(
            expect.arrayContaining(['ssh-close host=down', 'ssh-close host=silent']),
          );
        const stderr = readFileSync(`${base}.err`, 'utf8');
        expect(stderr).not.toMatch(/Error|Assertion|unhandled|\n\s+at /);
      },
      60_000,
    );
  }
});
