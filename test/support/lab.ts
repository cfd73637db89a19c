import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO = resolve(import.meta.dirname, '../..');
export const LAB = resolve(REPO, '.lab');
export const LAB_CONFIG = resolve(LAB, 'lvstop.json');
export const LAB_SSH_CONFIG = resolve(LAB, 'ssh_config');
// The bin as users run it: the bundle `npm run build` makes (scripts/bundle.js), not the tsc output beside it.
export const CLI = resolve(REPO, 'dist/bundle/lvstop.js');

export function labIsUp(): boolean {
  return existsSync(LAB_CONFIG) && existsSync(LAB_SSH_CONFIG);
}

/** Run a command on a lab host with OpenSSH itself, as an independent check of what the console says. */
export async function sshLab(host: string, command: string, timeoutMs?: number): Promise<string> {
  // A busy lab takes several seconds a round trip, and an ssh login takes several: 30 s of a quiet lab, paced.
  const { stdout } = await run('ssh', ['-F', LAB_SSH_CONFIG, '-o', 'BatchMode=yes', host, command], {
    timeout: timeoutMs ?? (await paced(30_000)),
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout;
}

export async function labCommand(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [resolve(REPO, 'test/lab/lab.sh'), ...args], {
    timeout: 180_000,
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout;
}

export async function runCli(
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CI: 'true' },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** Poll until `check` returns a value, or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, stepMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** An OpenSSH round trip (new connection, `true`) to a lab director on an idle lab, as measured on this lab. */
const IDLE_ROUND_TRIP_MS = 600;
let pace: number | undefined;
/**
 * The slowest lab the waits follow: a guest given one host core, polled by a console, answers OpenSSH in 5-15 s
 * (pace 8-25); beyond 10 a wait would outlast the suite's per-test limit (vitest.config.ts).
 */
const MAX_PACE = 10;

/**
 * How much slower the lab is right now than when idle, from the median of three fresh OpenSSH round trips (at least
 * 1, at most `MAX_PACE`). Integration waits are multiplied by it, so a busy machine gets longer waits, not failed tests.
 */
export async function labPace(): Promise<number> {
  if (pace !== undefined) return pace;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    await sshLab('director1', 'true', 120_000);
    times.push(Date.now() - t);
  }
  times.sort((a, b) => a - b);
  pace = Math.min(MAX_PACE, Math.max(1, times[1]! / IDLE_ROUND_TRIP_MS));
  console.log(`lab pace ${pace.toFixed(2)} (ssh round trips ${times.join(', ')} ms)`);
  return pace;
}

/** A wait for the lab scaled by its measured pace. */
export async function paced(ms: number): Promise<number> {
  return Math.round(ms * (await labPace()));
}

/**
 * What the directors themselves say about VRRP, for a failed wait's message: keepalived's processes, its last
 * notify lines and the addresses on eth0, read with OpenSSH. Never throws: a host that does not answer says so.
 */
export async function vrrpGroundTruth(directors: readonly string[] = ['director1', 'director2']): Promise<string> {
  const script =
    // Only this host's keepalived: the lab's hosts may share one process namespace and differ by network namespace.
    'me=$(readlink /proc/self/ns/net); printf "keepalived:"; for p in $(pgrep -x keepalived); do ' +
    '[ "$(readlink /proc/$p/ns/net)" = "$me" ] && printf " %s(%s)" $p "$(cut -d" " -f3 /proc/$p/stat)"; done; echo; ' +
    'tail -n 4 /run/keepalived/notify.log 2>&1; ip -br addr show dev eth0';
  const parts = await Promise.all(
    directors.map(async (d) => {
      try {
        return `== ${d}\n${(await sshLab(d, script, 20_000)).trim()}`;
      } catch (err) {
        return `== ${d}: no answer (${String(err).split('\n')[0]})`;
      }
    }),
  );
  return parts.join('\n');
}

/** `eventually`, and when it gives up, the error also carries `explain()`'s answer. */
export async function eventuallyExplained<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  stepMs: number,
  explain: () => Promise<string>,
): Promise<T> {
  try {
    return await eventually(check, timeoutMs, stepMs);
  } catch (err) {
    throw new Error(`${String(err)}\n${await explain()}`, { cause: err });
  }
}

/**
 * VRRP alerts that say the pair is broken (split brain, no MASTER), leaving out the flapping warning: the lab tests
 * fail over on purpose, so the pair really has flapped in the last 10 minutes, and that warning stays while the
 * transitions are recent.
 */
export function brokenPairAlerts<A extends { readonly kind: string }>(alerts: readonly A[]): A[] {
  return alerts.filter((a) => a.kind !== 'flapping');
}
