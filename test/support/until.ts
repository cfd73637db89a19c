import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Real-time bounds in tests are this many times what a quiet machine needs (LVSTOP_TEST_TIME_SCALE, default 10):
 * they stop a wait that would never end, and a busy machine (a CPU hog beside the suite) only makes a wait longer,
 * never decides a result. Waits return as soon as their condition holds.
 */
export const TIME_SCALE = Math.max(1, Number(process.env.LVSTOP_TEST_TIME_SCALE) || 10);

/** `ms` of a quiet machine, as a real-time bound. */
export const scaled = (ms: number) => ms * TIME_SCALE;

/**
 * Wait, on real turns of the event loop, until `check` holds: at most `timeoutMs` of real time (scaled), then throw naming
 * `what`. For tests on fake timers that wait for real I/O (a file read, a process): node:timers/promises and
 * perf_hooks are not what `vi.useFakeTimers({ toFake: [...timers, 'Date'] })` replaces, so this never stalls on
 * a faked clock and never moves it.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + scaled(timeoutMs);
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`still waiting after ${scaled(timeoutMs)} ms: ${what}`);
    await nextTurn();
  }
}
