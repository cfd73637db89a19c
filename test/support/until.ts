import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Wait, on real turns of the event loop, until `check` holds: at most `timeoutMs` of real time, then throw naming
 * `what`. For tests on fake timers that wait for real I/O (a file read, a process): node:timers/promises and
 * perf_hooks are not what `vi.useFakeTimers({ toFake: [...timers, 'Date'] })` replaces, so this never stalls on
 * a faked clock and never moves it.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms: ${what}`);
    await nextTurn();
  }
}
