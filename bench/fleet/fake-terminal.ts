/**
 * An 80x24 terminal for Ink that keeps nothing: it counts frames and bytes, so the App renders exactly as it does on
 * a real TTY (not the CI last-frame mode) without a frame log growing in memory.
 */
import { EventEmitter } from 'node:events';

export class CountingStdout extends EventEmitter {
  readonly isTTY = true;
  columns = 80;
  rows = 24;
  writes = 0;
  bytes = 0;

  write(chunk: string): boolean {
    this.writes += 1;
    this.bytes += chunk.length;
    return true;
  }
}

/** A TTY stdin that never sends a key (raw mode is accepted and ignored). */
export class SilentStdin extends EventEmitter {
  readonly isTTY = true;
  setRawMode(): this {
    return this;
  }
  setEncoding(): this {
    return this;
  }
  read(): null {
    return null;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}
