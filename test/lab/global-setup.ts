import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const LAB_SH = resolve(REPO, 'test/lab/lab.sh');
const SSH_CONFIG = resolve(REPO, '.lab/ssh_config');

async function labAnswers(): Promise<boolean> {
  if (!existsSync(SSH_CONFIG)) return false;
  try {
    await run('ssh', ['-F', SSH_CONFIG, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', 'director1', 'true'], {
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}

async function lab(command: string, timeoutMs: number): Promise<void> {
  const { stderr } = await run('bash', [LAB_SH, command], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  if (stderr) process.stderr.write(stderr);
}

/**
 * Brings the lab up for the integration tests unless it already runs, and takes it down afterwards only if it was
 * started here (also when tests fail). LVSTOP_LAB_KEEP=1 leaves a lab started here running.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (await labAnswers()) return async () => {};
  if (process.getuid?.() !== 0)
    throw new Error('the lab needs root: run as root, or start it with sudo npm run lab:up');
  try {
    await lab('up', 15 * 60_000);
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`lab.sh up failed:\n${e.stderr ?? String(err)}`);
  }
  return async () => {
    if (process.env.LVSTOP_LAB_KEEP) return;
    await lab('down', 120_000);
  };
}
