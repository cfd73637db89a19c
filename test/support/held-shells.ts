import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Helpers for tests that run real shells held on FIFOs, so the order of events is the test's, not the clock's: the
 * shell reads a line from a FIFO it opened read-write (`read -r _ <>"$FIFO"`, which never blocks on the open), and
 * the test lets it go on with `release`.
 */

/** A line into a FIFO once a shell holds it open: false while none does, never blocking. */
export function tryWrite(fifo: string): boolean {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  writeSync(fd, 'go\n');
  closeSync(fd);
  return true;
}

/** Wait (bounded) until `ok()`: the shells run at their own pace; the result is never decided by this wait. */
export async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`waited 20 s for ${what}`);
}

/** Let the shell held on `fifo` go on. */
export const release = (fifo: string): Promise<void> => until(() => tryWrite(fifo), fifo);

/** Lines in a file the held commands append to (0 when there is none yet). */
export const linesIn = (file: string): number =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
