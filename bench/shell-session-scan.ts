import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientChannel } from 'ssh2';
import { ShellSession } from '../src/transport/shell-session.js';

/**
 * How long ShellSession spends finding its end marker in 8 MiB of output arriving in 32 KiB packets (ssh2's channel
 * packet size). The channel is an in-process stand-in that answers the framing line the session writes, so only the
 * session's own work is timed. Run: `npm run build && node dist/bench/shell-session-scan.js`.
 */
const TOTAL = 8 * 1024 * 1024 - 4096;
const PACKET = 32 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

class LoopbackChannel extends EventEmitter {
  readonly stderr = new EventEmitter();
  write(text: string): boolean {
    const marker = /echo "(@@LVSTOP-DONE:[0-9a-f]+):\$lvstop_status"/.exec(text);
    if (!marker) return true;
    const body = Buffer.alloc(TOTAL, 'a');
    setImmediate(() => {
      for (let off = 0; off < body.length; off += PACKET) this.emit('data', body.subarray(off, off + PACKET));
      this.emit('data', Buffer.from(`\n${marker[1]}:0\n`));
    });
    return true;
  }
  close(): void {
    this.emit('close');
  }
}

async function main(): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const session = new ShellSession(new LoopbackChannel() as unknown as ClientChannel, 'bench');
    const started = performance.now();
    const r = await session.run('true', 60_000, 16 * 1024 * 1024);
    samples.push(performance.now() - started);
    if (r.stdout.length !== TOTAL) throw new Error(`got ${r.stdout.length} bytes`);
    session.close();
  }
  samples.sort((a, b) => a - b);
  const result = {
    at: new Date().toISOString(),
    bytes: TOTAL,
    packetBytes: PACKET,
    runs: RUNS,
    medianMs: Math.round(samples[Math.floor(samples.length / 2)]! * 10) / 10,
    maxMs: Math.round(samples.at(-1)! * 10) / 10,
  };
  const dir = resolve(import.meta.dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'shell-session-scan.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
