import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO } from './lab.js';
import { TIME_SCALE } from './until.js';

export const ARTIFACTS = resolve(REPO, 'test/artifacts');

/** tmux is installed (.ci/run and the lab install it). */
export const HAVE_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A program in a real terminal (tmux), read back as screen text. CI=false so Ink draws every frame. */
export class TmuxScreen {
  /** Screen waits are multiplied by this (the lab's measured pace, when a test sets it), at least by TIME_SCALE. */
  static pace = 1;
  readonly session: string;
  /**
   * Each screen has a tmux server of its own (`tmux -L`): with one shared server, a test whose last session ended
   * took the server down while another test was starting a session on it ("server exited unexpectedly").
   */
  readonly socket: string;

  constructor(name: string, command: string, cols = 120, rows = 40) {
    this.session = `lvstop-${name}-${process.pid}`;
    this.socket = this.session;
    this.tmux([
      'new-session',
      '-d',
      '-s',
      this.session,
      '-x',
      String(cols),
      '-y',
      String(rows),
      `env CI=false TERM=xterm-256color ${command}`,
    ]);
  }

  /** Run a tmux command on this screen's server. */
  tmux(args: readonly string[], options: { readonly encoding?: 'utf8'; readonly stdio?: 'ignore' } = {}): string {
    return String(execFileSync('tmux', ['-L', this.socket, ...args], options) ?? '');
  }

  capture(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
  }

  /**
   * The screen, or '' once the program has ended: a program that ends between the check and the capture takes its
   * tmux server with it (a test waiting for it to quit saw "no server running").
   */
  private captureIfAlive(): string {
    if (!this.alive()) return '';
    try {
      return this.capture();
    } catch (err) {
      if (!this.alive()) return '';
      throw err;
    }
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys]);
  }

  /** Type literal text (no key-name interpretation). */
  type(text: string): void {
    this.tmux(['send-keys', '-l', '-t', this.session, text]);
  }

  resize(cols: number, rows: number): void {
    this.tmux(['resize-window', '-t', this.session, '-x', String(cols), '-y', String(rows)]);
  }

  alive(): boolean {
    try {
      this.tmux(['has-session', '-t', this.session], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  async waitFor(predicate: (screen: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    timeoutMs = Math.round(timeoutMs * Math.max(TmuxScreen.pace, TIME_SCALE));
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.captureIfAlive();
      if (predicate(screen)) return screen;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`screen never showed ${what} within ${timeoutMs} ms; last screen:\n${screen}`);
  }

  save(name: string): string {
    mkdirSync(ARTIFACTS, { recursive: true });
    const screen = this.capture();
    writeFileSync(resolve(ARTIFACTS, `${name}.txt`), screen);
    return screen;
  }

  kill(): void {
    try {
      this.tmux(['kill-session', '-t', this.session], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
