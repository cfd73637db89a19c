import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/frames.js';
import { TEST_SECRET, serveTestKit } from '../../test/support/serve-kit.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { RefreshGate } from './refresh-gate.js';

const kit = serveTestKit();
const { serve, attach } = kit;

/** Sockets serve accepts, as serve holds them (its side of each connection). */
const accepted: Socket[] = [];
const onAccepted = (m: unknown) => accepted.push((m as { socket: Socket }).socket);
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
const clients: Socket[] = [];
beforeEach(() => {
  subscribe('net.server.socket', onAccepted);
  process.on('warning', onWarning);
});
afterEach(() => {
  unsubscribe('net.server.socket', onAccepted);
  process.off('warning', onWarning);
  accepted.length = 0;
  warnings.length = 0;
  clients.splice(0).forEach((c) => c.destroy());
});

/** Open `n` connections that say nothing; resolves once all are connected. */
async function idle(n: number, to: { port: number } | { path: string }): Promise<Socket[]> {
  const made = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = 'port' in to ? connect(to.port, '127.0.0.1') : connect(to.path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  for (const s of made) s.on('error', () => undefined);
  clients.push(...made);
  return made;
}

function getMetrics(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('timeout', () => req.destroy(new Error('/metrics: no answer in 5 s')));
    req.on('error', reject);
    req.end();
  });
}

const pollCount = (text: string) =>
  Number(/lvstop_poll_duration_seconds_count\{host="here"\} (\d+)/.exec(text)?.[1] ?? 0);

describe('serve limits', () => {
  it('holds 500 idle TCP connections within its limits, closes them by timeout, and still answers /metrics', async () => {
    const limits = { maxClients: 4, maxPendingConnections: 100, idleTimeoutMs: 1500, helloTimeoutMs: 1000 };
    const s = await serve({ listen: '127.0.0.1:0', tokenFile: kit.tokenFile(), limits });
    const sockets = await idle(500, { port: s.port! });
    const open = () => sockets.filter((c) => !c.destroyed && !c.readableEnded).length;
    for (const c of sockets) c.resume().on('end', () => c.destroy());
    // Beyond maxPendingConnections the oldest go at once, the newest stay until the idle timeout.
    await eventually(() => open() <= limits.maxPendingConnections, 5000);
    const metrics = await getMetrics(s.port!);
    expect(metrics).toMatch(/^200 /);
    expect(metrics).toContain('lvstop_host_up');
    // Idle unix consoles: beyond maxClients refused at once, the rest closed when they do not say hello.
    const unix = await idle(10, { path: join(kit.dir, 'serve.sock') });
    for (const c of unix) c.resume().on('end', () => c.destroy());
    expect(s.hub.clients).toBeLessThanOrEqual(limits.maxClients);
    await eventually(() => unix.filter((c) => !c.destroyed).length <= limits.maxClients, 3000);
    expect(kit.logs.some((l) => l.includes('serve is full: 4 consoles connected (--max-clients 4)'))).toBe(true);
    await eventually(() => open() === 0 && unix.every((c) => c.destroyed) && s.hub.clients === 0, 10_000);
    expect(kit.logs.some((l) => l.includes('no hello within 1000 ms'))).toBe(true);
    // Once the idle ones are gone a console attaches as usual.
    const c = await attach(`http://127.0.0.1:${s.port}`, { token: TEST_SECRET });
    expect(c.hello.operator).toBe('alice(tcp 127.0.0.1 token oncall)');
  });

  it('disconnects a console that does not read: destroyed once, its queue freed, no listener left behind', async () => {
    const maxQueuedBytes = 256 * 1024;
    const s = await serve({ limits: { maxQueuedBytes } });
    const path = join(kit.dir, 'serve.sock');
    let patches = 0;
    const reader = await attach(path, { operator: 'bob' });
    reader.listen(
      () => patches++,
      () => undefined,
    );
    // Says hello, then reads nothing: once the socket buffers are full, serve's queue for it grows.
    const [stalled] = await idle(1, { path });
    stalled!.pause();
    stalled!.write(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, operator: 'stalled' }) + '\n');
    await eventually(() => s.hub.viewers === 2, 10_000);
    // Serve's side of the stalled console: the last connection it accepted.
    const served = accepted.at(-1)!;
    const before = Object.fromEntries(served.eventNames().map((e) => [String(e), served.listenerCount(e)]));
    // Each change to the host is one patch of ~64 KiB to every viewer.
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200 && !served.destroyed; i++) {
      const seen = patches;
      s.fleet.store.getState().hostDown('here', { kind: 'unreachable', message: `${i} ${big}` }, Date.now());
      await eventually(() => patches > seen, 5000);
    }
    expect(served.destroyed).toBe(true);
    expect(s.hub.viewers).toBe(1);
    expect(s.hub.queuedBytes).toBeLessThan(maxQueuedBytes);
    // More patches: the dropped console is not dropped again, the one that reads gets them all.
    for (let i = 0; i < 5; i++) {
      const seen = patches;
      s.fleet.store.getState().hostDown('here', { kind: 'unreachable', message: `after ${i}` }, Date.now());
      await eventually(() => patches > seen, 5000);
    }
    const drops = kit.logs.filter((l) => l.startsWith('dropping stalled('));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(/too slow: output not read \(\d+ bytes queued\)/);
    for (const e of served.eventNames())
      expect(served.listenerCount(e), String(e)).toBeLessThanOrEqual(before[String(e)] ?? 1);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('caps the bytes queued for all consoles together: the one holding most is disconnected', async () => {
    const s = await serve({ limits: { maxQueuedBytes: 8 * 1024 * 1024, maxTotalQueuedBytes: 300 * 1024 } });
    const path = join(kit.dir, 'serve.sock');
    const stalled = await idle(3, { path });
    stalled.forEach((c, i) => {
      c.pause();
      c.write(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, operator: `slow${i}` }) + '\n');
    });
    await eventually(() => s.hub.viewers === 3, 10_000);
    const big = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 100 && s.hub.viewers === 3; i++) {
      s.fleet.store.getState().hostDown('here', { kind: 'unreachable', message: `${i} ${big}` }, Date.now());
      await new Promise((r) => setTimeout(r, 80));
    }
    expect(s.hub.viewers).toBeLessThan(3);
    expect(s.hub.queuedBytes).toBeLessThanOrEqual(300 * 1024);
    expect(kit.logs.some((l) => /too slow: 307200 bytes queued for all consoles/.test(l))).toBe(true);
  });

  it('polls at most once more per interval however many consoles ask for a refresh', async () => {
    const s = await serve({ metricsListen: '127.0.0.1:0' });
    const consoles = await Promise.all(
      ['a', 'b', 'c', 'd'].map((o) => attach(join(kit.dir, 'serve.sock'), { operator: o })),
    );
    const polls = async () => pollCount(await getMetrics(s.metricsPort!));
    await eventually(() => (s.fleet.store.getState().hosts.here?.readAt ?? 0) > 0, 10_000);
    const interval = s.fleet.store.getState().pollIntervalMs;
    const start = Date.now();
    const first = await polls();
    // 200 refreshes: 4 consoles, 50 each, one every 20 ms.
    for (let i = 0; i < 50; i++) {
      for (const c of consoles) c.send({ t: 'refresh' });
      await new Promise((r) => setTimeout(r, 20));
    }
    // Let a poll that started last finish before counting.
    await new Promise((r) => setTimeout(r, interval));
    const took = Date.now() - start;
    const extra = (await polls()) - first;
    // Regular polls plus at most one refresh per interval, each rounded up (and one at each edge).
    const perInterval = Math.ceil(took / interval) + 1;
    expect(extra).toBeLessThanOrEqual(2 * perInterval);
    expect(extra).toBeGreaterThan(0);
  });
});

describe('RefreshGate', () => {
  it('lets one refresh through per interval', () => {
    let now = 1000;
    let polls = 0;
    const gate = new RefreshGate(
      500,
      () => polls++,
      () => now,
    );
    expect(gate.request()).toBe(true);
    for (let i = 0; i < 100; i++) expect(gate.request()).toBe(false);
    now += 499;
    expect(gate.request()).toBe(false);
    now += 1;
    expect(gate.request()).toBe(true);
    expect(polls).toBe(2);
  });
});
