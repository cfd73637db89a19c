import { vi } from 'vitest';
import { scaled } from './until.js';

/** Anything with Ink's last frame: ink-testing-library's render result. */
export interface Framed {
  readonly lastFrame: () => string | undefined;
}

/** Poll until `check` stops throwing (or returns true), at most `timeoutMs` (scaled); then throw its last error. */
export async function eventually(check: () => void | boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + scaled(timeoutMs);
  for (;;) {
    let error: unknown;
    try {
      if (check() !== false) return;
      error = new Error('condition still false');
    } catch (err) {
      error = err;
    }
    if (Date.now() >= deadline) throw error;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Wait for a frame matching `re` (bounded); returns it, or throws with the last frame in the message. */
export async function waitForFrame(r: Framed, re: RegExp, timeoutMs = 2000): Promise<string> {
  let last = '';
  try {
    await eventually(() => re.test((last = r.lastFrame() ?? '')), timeoutMs);
  } catch {
    throw new Error(`no frame matched ${re} within ${scaled(timeoutMs)} ms; last frame:\n${last}`);
  }
  return last;
}

/** Wait for a frame that does not match `re` (bounded). */
export async function waitForFrameWithout(r: Framed, re: RegExp, timeoutMs = 2000): Promise<string> {
  let last = '';
  try {
    await eventually(() => !re.test((last = r.lastFrame() ?? '')), timeoutMs);
  } catch {
    throw new Error(`every frame matched ${re} for ${scaled(timeoutMs)} ms; last frame:\n${last}`);
  }
  return last;
}

/** Fake timers for a component test: its timers and clock; React's own scheduling (setImmediate) stays real. */
export const FAKE_TIMERS = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
} satisfies Parameters<typeof vi.useFakeTimers>[0];

/** On FAKE_TIMERS: move the clock by `ms`, then let React render what the timers that fired set. */
export async function advanceAndRender(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await new Promise((resolve) => setImmediate(resolve));
}
