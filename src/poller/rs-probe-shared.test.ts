import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRsProbe, type ProbeTarget } from '../../collectors/rs-probe.js';
import { until } from '../../test/support/held-shells.js';
import { probeRoundScript } from './rs-prober.js';

/**
 * Two probe rounds of one director side by side, each a real bash running the round as the probe shell does (in a
 * subshell), against a real HTTP listener on 127.0.0.1 that answers a request only when the test lets it: the order
 * of events is the test's, not the clock's.
 */
let dir: string;
let server: Server;
let port: number;
/** Connections the listener accepted, and the ones still waiting for their answer. */
let accepted = 0;
const waiting: Socket[] = [];
let answerAtOnce = false;
const rounds: ReturnType<typeof spawn>[] = [];

const reply = (s: Socket) => s.end('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvstop-rs-shared-'));
  accepted = 0;
  answerAtOnce = false;
  server = createServer((s) => {
    accepted++;
    s.on('error', () => undefined);
    s.once('data', () => (answerAtOnce ? reply(s) : waiting.push(s)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => {
  for (const c of rounds.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of waiting.splice(0)) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const targets = (): ProbeTarget[] => [{ kind: 'http', address: '127.0.0.1', port, path: '/health' }];
/** A deadline long enough that a round waiting its turn never gives up before the test lets the first go on. */
const DEADLINE_MS = 20_000;

interface Round {
  readonly done: Promise<string>;
  out(): string;
}

function round(watched: ReadonlySet<number> = new Set()): Round {
  let out = '';
  let closed = false;
  const script = `(\n${probeRoundScript(targets(), DEADLINE_MS, watched)}\n) </dev/null`;
  const child = spawn('bash', ['-c', script], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  rounds.push(child);
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.on('close', () => (closed = true));
  return { done: until(() => closed, 'a probe round to end').then(() => out), out: () => out };
}

/** The lines that say what was probed, without the CPU figures after `@ times`. */
const probeLines = (out: string) => out.slice(0, out.indexOf('@ times'));
const verdicts = (out: string) => {
  const r = parseRsProbe(out, targets(), DEADLINE_MS);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.map((o) => o.detail);
};
const kept = () => readdirSync(dir).filter((f) => f.startsWith('.lvstop-rs-'));

describe('probe rounds side by side', () => {
  it('a round that waited its turn prints the round that ended since it began: one connection for two', async () => {
    const first = round();
    await until(() => waiting.length === 1, 'the first round to send its request');
    const second = round();
    await until(() => second.out().startsWith('@ start\n'), 'the second round to start');
    reply(waiting.shift()!);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(accepted).toBe(1);
    expect(verdicts(a)).toEqual(['HTTP 200']);
    expect(verdicts(b)).toEqual(['HTTP 200']);
    expect(probeLines(b)).toBe(probeLines(a));
    expect(b).toMatch(/@ times\n.+\n.+\n$/);
  });

  it('a round whose turn was taken while it probed prints its own verdicts and keeps nothing', async () => {
    // Taking the turn is a write and a read back, not an atomic take: a shell held up between finding the lock free
    // and writing its number can take a turn already taken. Emptying the lock while the first round probes does the
    // same. Each round's probe lines go through a file of its own shell, and only the round the lock names is kept.
    const first = round();
    await until(() => waiting.length === 1, 'the first round to send its request');
    writeFileSync(
      join(
        dir,
        kept().find((f) => f.endsWith('.lock'))!,
      ),
      '',
    );
    const second = round();
    await until(() => waiting.length === 2, 'the second round to take the turn and send its request');
    reply(waiting.pop()!);
    const b = await second.done;
    waiting.shift()!.end('HTTP/1.0 503 Service Unavailable\r\n\r\n');
    const a = await first.done;
    expect(verdicts(b)).toEqual(['HTTP 200']);
    expect(verdicts(a)).toEqual(['HTTP 503']);
    const files = kept().filter((f) => !f.endsWith('.lock'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]!), 'utf8')).toContain('HTTP/1.0 200 OK');
    expect(readFileSync(join(dir, files[0]!), 'utf8')).not.toContain('503');
  });

  it('a round begun after the last one ended probes again', async () => {
    answerAtOnce = true;
    expect(verdicts(await round().done)).toEqual(['HTTP 200']);
    expect(verdicts(await round().done)).toEqual(['HTTP 200']);
    expect(accepted).toBe(2);
  });

  it('a round with a watched target is never shared nor kept', async () => {
    answerAtOnce = true;
    await round(new Set([0])).done;
    await round(new Set([0])).done;
    expect(accepted).toBe(2);
    expect(kept()).toEqual([]);
  });

  it('a kept round stamped in the future is not taken, and a kept file that is a link is neither read nor written', async () => {
    answerAtOnce = true;
    await round().done;
    const file = join(
      dir,
      kept().find((f) => !f.includes('.', 1))!,
    );
    const text = readFileSync(file, 'utf8').replace(/@@lvstop-end \d+/, `@@lvstop-end ${Date.now() * 1000 + 3.6e9}`);
    writeFileSync(file, text.replace('HTTP/1.0 200 OK', 'HTTP/1.0 503 Gone'));
    expect(verdicts(await round().done)).toEqual(['HTTP 200']);
    expect(accepted).toBe(2);
    const elsewhere = join(dir, 'elsewhere');
    writeFileSync(elsewhere, 'untouched\n');
    rmSync(file);
    symlinkSync(elsewhere, file);
    expect(verdicts(await round().done)).toEqual(['HTTP 200']);
    expect(accepted).toBe(3);
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched\n');
    expect(existsSync(`${file}.lock`)).toBe(true);
  });
});
