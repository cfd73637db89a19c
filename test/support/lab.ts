import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO = resolve(import.meta.dirname, '../..');
export const LAB = resolve(REPO, '.lab');
export const LAB_CONFIG = resolve(LAB, 'lvstop.json');
export const LAB_SSH_CONFIG = resolve(LAB, 'ssh_config');
export const CLI = resolve(REPO, 'dist/src/main.js');

export function labIsUp(): boolean {
  return existsSync(LAB_CONFIG) && existsSync(LAB_SSH_CONFIG);
}

/** Run a command on a lab host with OpenSSH itself, as an independent check of what the console says. */
export async function sshLab(host: string, command: string, timeoutMs = 30_000): Promise<string> {
  const { stdout } = await run('ssh', ['-F', LAB_SSH_CONFIG, '-o', 'BatchMode=yes', host, command], {
    timeout: timeoutMs,
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
