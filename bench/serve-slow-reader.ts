/**
 * Serve's memory with a console that says hello and then never reads: RSS before it attaches, while serve's queue
 * for it grows (patches of PATCH_KIB each, with one console that reads), and after serve has disconnected it; three
 * rounds in one process, so a leak would show as RSS climbing from round to round.
 * Serve, the reading console and the stalled socket share this process (the two clients hold a few KiB); the fleet
 * is one host on the local transport (no lab), its polling paused so that only these patches change the store. Results: bench/results/serve-slow-reader.json.
 *
 *   npx tsc -p tsconfig.build.json && node --expose-gc dist/bench/serve-slow-reader.js
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { openAttach } from '../src/serve/attach-connection.js';
import { PROTOCOL_VERSION } from '../src/serve/protocol.js';
import { startServe } from '../src/serve/serve-command.js';
import { DEFAULT_SERVE_LIMITS } from '../src/serve/serve-limits.js';

const root = resolve(import.meta.dirname, '../..');
const PATCH_KIB = Number(process.env.BENCH_PATCH_KIB ?? 1024);
const MAX_PATCHES = 400;
const DEADLINE_MS = 120_000;
/** Stall, drop and settle this many times in one process: what a leak would add up. */
const ROUNDS = 3;

const MiB = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settledRss(): Promise<{ rss: number; heapUsed: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

async function main() {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc');
  const dir = mkdtempSync(join(tmpdir(), 'lvstop-bench-serve-'));
  const file = join(dir, 'bench.json');
  writeFileSync(
    file,
    JSON.stringify({
      pollIntervalMs: 500,
      auditLog: join(dir, 'audit.jsonl'),
      eventLog: join(dir, 'events.jsonl'),
      hosts: { here: { transport: 'local' } },
      clusters: [{ name: 'here-cluster', mode: 'nat', vips: ['127.0.0.1'], directors: [{ host: 'here' }] }],
    }),
  );
  const logs: string[] = [];
  const path = join(dir, 'serve.sock');
  const serve = await startServe(await loadConfig(file), {
    socket: path,
    socketMode: 0o600,
    site: 'bench',
    log: (l) => logs.push(l),
  });
  const reader = await openAttach(path, { operator: 'reader', timeoutMs: 5000 });
  let patches = 0;
  reader.listen(
    () => patches++,
    () => undefined,
  );
  const big = 'x'.repeat(PATCH_KIB * 1024);
  let n = 0;
  /** One store change: one patch of about PATCH_KIB to every viewer; resolves when the reader has it. */
  const patch = async () => {
    const seen = patches;
    serve.fleet.store.getState().hostDown('here', { kind: 'unreachable', message: `${n++} ${big}` }, Date.now());
    const end = Date.now() + 10_000;
    while (patches === seen) {
      if (Date.now() > end) throw new Error('the reading console got no patch in 10 s');
      await sleep(5);
    }
  };
  // Polling paused: the host stays down, so each change rewrites its error in place. (Polls would bring it up and
  // down again, and each transition appends an event holding the whole message: store growth, not serve's queue.)
  serve.fleet.store.getState().setPaused(true);
  // Warm up with the reader alone, so "before" already holds what big patches cost without a stalled console.
  for (let i = 0; i < 40; i++) await patch();
  const before = await settledRss();

  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const stalled = connect(path);
    stalled.on('error', () => undefined);
    stalled.pause();
    stalled.write(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, operator: `stalled${round}` }) + '\n');
    while (serve.hub.viewers < 2) await sleep(5);
    const started = Date.now();
    let peak = process.memoryUsage().rss;
    let peakQueued = 0;
    let untilDrop = 0;
    while (serve.hub.viewers === 2 && untilDrop < MAX_PATCHES && Date.now() - started < DEADLINE_MS) {
      peakQueued = Math.max(peakQueued, serve.hub.queuedBytes);
      await patch();
      untilDrop++;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const dropMs = Date.now() - started;
    const dropped = serve.hub.viewers === 1;
    stalled.destroy();
    for (let i = 0; i < 20; i++) await patch();
    const after = await settledRss();
    rounds.push({
      stalledConsoleDropped: dropped,
      patchesUntilDrop: untilDrop,
      dropMs,
      peakQueuedMiB: MiB(peakQueued),
      dropLog: logs.find((l) => l.startsWith(`dropping stalled${round}(`))?.replace(/\(unix [^)]*\)/, '') ?? null,
      rssMiB: { during: MiB(peak), after: MiB(after.rss) },
      heapUsedMiB: MiB(after.heapUsed),
      rssAfterVsBeforePercent: Math.round(((after.rss - before.rss) / before.rss) * 1000) / 10,
      queuedBytesAfter: serve.hub.queuedBytes,
    });
  }

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    patchKiB: PATCH_KIB,
    maxQueuedBytes: DEFAULT_SERVE_LIMITS.maxQueuedBytes,
    before: { rssMiB: MiB(before.rss), heapUsedMiB: MiB(before.heapUsed) },
    rounds,
  };
  reader.close();
  await serve.stop();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/serve-slow-reader.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

await main();
