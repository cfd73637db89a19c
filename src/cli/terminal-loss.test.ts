import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { setDebugSink } from '../debug-log.js';
import { watchTerminal, type TerminalHost, type TerminalLoss } from './terminal-loss.js';

function stream(isTTY: boolean): EventEmitter & { isTTY: boolean } {
  return Object.assign(new EventEmitter(), { isTTY });
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code });
}

/** A terminal on fds 0-2 (unless `ttys` says otherwise); `gone` lists the fds whose tty has hung up. */
function fakeHost(ttys = [true, true, true]) {
  const gone = new Set<number>();
  const closed: number[] = [];
  const host: TerminalHost = {
    stdin: stream(ttys[0]!),
    stdout: stream(ttys[1]!),
    stderr: stream(ttys[2]!),
    process: new EventEmitter(),
    isatty: (fd) => ttys[fd]! && !gone.has(fd),
    closeFd: (fd) => void closed.push(fd),
  };
  return { host, gone, closed };
}

function watch(host: TerminalHost) {
  const losses: TerminalLoss[] = [];
  const lines: string[] = [];
  setDebugSink((line) => lines.push(line));
  watchTerminal((loss) => losses.push(loss), host);
  return { losses, lines };
}

afterEach(() => setDebugSink(undefined));

describe('watchTerminal', () => {
  it('SIGHUP is a loss, logged as one terminal-lost line', () => {
    const { host } = fakeHost();
    const { losses, lines } = watch(host);
    host.process.emit('SIGHUP');
    expect(losses).toEqual([{ reason: 'SIGHUP' }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+ terminal-lost reason=SIGHUP\n$/);
  });

  it('a failed write to stdout is a loss named by its code and stream', () => {
    const { host } = fakeHost();
    const { losses, lines } = watch(host);
    host.stdout.emit('error', errno('EIO'));
    expect(losses).toEqual([{ reason: 'EIO', stream: 'stdout' }]);
    expect(lines[0]).toMatch(/ terminal-lost reason=EIO stream=stdout\n$/);
  });

  it('after the loss every later error, end and SIGHUP is swallowed: one call, one line, nothing thrown', () => {
    const { host } = fakeHost();
    const { losses, lines } = watch(host);
    host.stderr.emit('error', errno('EPIPE'));
    expect(() => {
      host.stdout.emit('error', errno('EIO'));
      host.stderr.emit('error', errno('EIO'));
      host.stdin.emit('error', errno('EIO'));
      host.stdin.emit('end');
      host.process.emit('SIGHUP');
    }).not.toThrow();
    expect(losses).toEqual([{ reason: 'EPIPE', stream: 'stderr' }]);
    expect(lines).toHaveLength(1);
  });

  it('the end of a tty stdin is a loss; the end of piped input is not', () => {
    const tty = fakeHost();
    const { losses } = watch(tty.host);
    tty.host.stdin.emit('end');
    expect(losses).toEqual([{ reason: 'end', stream: 'stdin' }]);

    const piped = fakeHost([false, true, true]);
    const pipedWatch = watch(piped.host);
    piped.host.stdin.emit('end');
    expect(pipedWatch.losses).toEqual([]);
  });

  it('at exit closes the stdio fds whose tty is gone, and only those', () => {
    const { host, gone, closed } = fakeHost([true, true, false]);
    watch(host);
    gone.add(0);
    host.process.emit('exit', 0);
    // fd 1 is still a tty (Node restores it), fd 2 never was one (Node restores its flags).
    expect(closed).toEqual([0]);
  });

  it('at exit a fd that cannot be closed is left alone', () => {
    const { host, gone } = fakeHost();
    const closeFd = () => {
      throw errno('EBADF');
    };
    watch({ ...host, closeFd });
    gone.add(0).add(1).add(2);
    expect(() => host.process.emit('exit', 0)).not.toThrow();
  });
});
