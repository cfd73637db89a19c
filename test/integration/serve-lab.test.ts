import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, type ExpositionSample } from '../../src/metrics/exposition.js';
import { openAttach, type AttachConnection } from '../../src/serve/attach-connection.js';
import { CLI, eventually, LAB, LAB_CONFIG, paced, sshLab } from '../support/lab.js';
import { TmuxScreen } from '../support/tmux.js';
import type { RealServerTarget } from '../../src/actions/row-target.js';

// `lvstop serve` against the lab, scraped by a real Prometheus (Debian's prometheus), compared with a real
// node_exporter (Debian's prometheus-node-exporter) run inside the NAT director's namespace, steered from an attached
// client. Every process is started here, bounded, and ended by its PID in afterAll; the weight is put back.

const NAT = 'nat-director';
const RS = { local_address: '172.16.60.22', local_port: '80', remote_address: '192.168.60.99', remote_port: '80' };
const TARGET: RealServerTarget = {
  kind: 'real-server',
  director: 'nat-director',
  service: 'TCP 172.16.60.22:80',
  realServer: { address: '192.168.60.99', port: 80 },
};
const SCRAPE_S = 1;

let dir: string;
let serve: ChildProcess;
let prometheus: ChildProcess;
let port: number;
let promPort: number;
const serveLog: string[] = [];
const attached: AttachConnection[] = [];
const screens: TmuxScreen[] = [];

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** The weight `ipvsadm -Ln` shows on the NAT director for 192.168.60.99:80 of TCP 172.16.60.22:80. */
async function ipvsadmWeight(): Promise<number> {
  const lines = (await sshLab(NAT, 'ipvsadm -L -n --exact')).split('\n');
  const start = lines.findIndex((l) => l.startsWith('TCP  172.16.60.22:80'));
  const line = lines.slice(start + 1).find((l) => l.trim().startsWith('-> 192.168.60.99:80 '))!;
  return Number(line.trim().split(/\s+/)[3]);
}

async function promQuery(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(query)}`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

const weightQuery = `node_ipvs_backend_weight{job="lvstop",director="${NAT}",proto="TCP",local_address="${RS.local_address}",local_port="80",remote_address="${RS.remote_address}",remote_port="80"}`;

async function metrics(): Promise<ExpositionSample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return parseExposition(await res.text());
}

/** Established connections to sshd on a lab host, counted on that host (our own probe is one of them). */
async function sshdSessions(host: string): Promise<number> {
  const out = await sshLab(host, "ss -Htn state established '( sport = :22 )' | wc -l");
  return Number(out.trim());
}

async function attachClient(operator: string): Promise<AttachConnection> {
  const c = await openAttach(join(dir, 'serve.sock'), { operator, timeoutMs: 10_000 });
  attached.push(c);
  return c;
}

async function setWeight(c: AttachConnection, value: number, id: number): Promise<{ ok: boolean; message: string }> {
  const planned = c.reply(id);
  c.send({ t: 'plan', id, request: { kind: 'weight', cluster: 'discuz', targets: [TARGET], value } });
  const p = await planned;
  if (p.t !== 'planned' || !p.ok) throw new Error(`plan failed: ${JSON.stringify(p)}`);
  const ran = c.reply(id);
  c.send({ t: 'run', id, confirmation: true });
  const r = await ran;
  return { ok: r.ok, message: r.t === 'ran' ? r.message : '' };
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    process.kill(child.pid!, signal);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvstop-serve-lab-'));
  port = await freePort();
  promPort = await freePort();
  await writeFile(join(dir, 'tokens'), 'prom:0123456789abcdef01234567\n', { mode: 0o600 });
  serve = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '-c',
      LAB_CONFIG,
      '--interval',
      '2000',
      '--socket',
      join(dir, 'serve.sock'),
      '--listen',
      `127.0.0.1:${port}`,
      '--token-file',
      join(dir, 'tokens'),
      '--allow-actions',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  serve.stderr!.on('data', (d: Buffer) => serveLog.push(...String(d).split('\n').filter(Boolean)));
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${SCRAPE_S}s`,
      `  evaluation_interval: ${SCRAPE_S}s`,
      'scrape_configs:',
      '  - job_name: lvstop',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${port}']`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: 'ignore' },
  );
  // The serve's first poll and Prometheus' first scrapes: a minute of a quiet lab, paced.
  await eventually(
    async () => ((await promQuery(weightQuery)).length === 1 ? true : undefined),
    await paced(60_000),
    500,
  );
});

afterAll(async () => {
  screens.forEach((s) => s.kill());
  try {
    if (attached[0] && (await ipvsadmWeight()) !== 1) await setWeight(attached[0], 1, 999);
  } finally {
    attached.forEach((c) => c.close());
    await stopChild(prometheus);
    const code = await stopChild(serve);
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'serve.sock'))).toBe(false);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('lvstop serve on the lab', () => {
  it("Prometheus scrapes the weight ipvsadm shows, and the new one within two scrapes after an attached client's change", async () => {
    const before = await ipvsadmWeight();
    const [sample] = await promQuery(weightQuery);
    expect(Number(sample!.value[1])).toBe(before);

    const client = await attachClient('tester');
    expect(client.hello.allowActions).toBe(true);
    const next = before === 3 ? 4 : 3;
    const result = await setWeight(client, next, 1);
    expect(result).toMatchObject({ ok: true });
    expect(await ipvsadmWeight()).toBe(next);
    const changedAt = Date.now();
    await eventually(
      async () => ((await promQuery(weightQuery))[0]?.value[1] === String(next) ? true : undefined),
      2 * SCRAPE_S * 1000 + 1500,
      100,
    );
    const seenAfterMs = Date.now() - changedAt;
    process.stderr.write(`serve-lab: Prometheus returned the new weight ${seenAfterMs} ms after the verified change\n`);

    // One pipeline: serve's audit log names the attached operator and how they reached serve.
    const audit = (await readFile(join(LAB, 'audit.jsonl'), 'utf8')).trim().split('\n');
    const last = JSON.parse(audit[audit.length - 1]!) as { operator: string; result: string; action: string };
    expect(last).toMatchObject({ action: 'weight', result: 'ok' });
    expect(last.operator).toMatch(new RegExp(`^tester\\(unix ${join(dir, 'serve.sock')}\\)@`));

    // A console that plans, then disappears before confirming: nothing runs, nothing is audited, serve keeps serving.
    const leaving = await attachClient('leaver');
    const planned = leaving.reply(2);
    leaving.send({ t: 'plan', id: 2, request: { kind: 'weight', cluster: 'discuz', targets: [TARGET], value: 7 } });
    expect(await planned).toMatchObject({ t: 'planned', ok: true });
    leaving.close();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await ipvsadmWeight()).toBe(next);
    expect((await readFile(join(LAB, 'audit.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(audit.length);
    expect((await promQuery(weightQuery))[0]?.value[1]).toBe(String(next));
  });

  it("equals node_exporter's ipvs collector run inside the NAT director's namespace, for every backend", async () => {
    const exporterPort = 19100;
    // Bounded: the exporter dies by its PID when read, and by `timeout` in any case; the guest is emulated, so its
    // start may take a while.
    const script =
      `timeout 90 prometheus-node-exporter --collector.disable-defaults --collector.ipvs ` +
      `--web.listen-address=127.0.0.1:${exporterPort} </dev/null >/dev/null 2>&1 & pid=$!; ` +
      `for i in $(seq 1 120); do curl -sf http://127.0.0.1:${exporterPort}/metrics && break; sleep 0.5; done; ` +
      `kill $pid; wait $pid 2>/dev/null; true`;
    const theirs = await sshLab(NAT, script, 120_000);
    const ours = await metrics();
    const exporter = parseExposition(theirs).filter((s) => s.name.startsWith('node_ipvs_backend_'));
    const key = (s: ExpositionSample) =>
      [
        s.name,
        s.labels.local_address,
        s.labels.local_port,
        s.labels.remote_address,
        s.labels.remote_port,
        s.labels.proto,
        s.labels.local_mark,
      ].join(' ');
    const mine = new Map(
      ours
        .filter((s) => s.name.startsWith('node_ipvs_backend_') && s.labels.director === NAT)
        .map((s) => [key(s), s.value]),
    );
    expect(exporter.length).toBeGreaterThanOrEqual(18);
    expect([...mine.keys()].sort()).toEqual(exporter.map(key).sort());
    for (const s of exporter) {
      const value = mine.get(key(s))!;
      if (s.name === 'node_ipvs_backend_weight') expect(value, key(s)).toBe(s.value);
      // Connection counts move between the two reads (one poll apart at most): allow a poll's drift.
      else expect(Math.abs(value - s.value), key(s)).toBeLessThanOrEqual(Math.max(2, s.value * 0.2));
    }
    const totals = parseExposition(theirs).find((s) => s.name === 'node_ipvs_connections_total')!;
    const mineTotal = ours.find((s) => s.name === 'node_ipvs_connections_total' && s.labels.director === NAT)!;
    expect(Math.abs(totals.value - mineTotal.value)).toBeLessThanOrEqual(Math.max(5, totals.value * 0.05));
  });

  it('keeps one SSH connection per host whatever the number of attached consoles, which all show the same state', async () => {
    const alone = await sshdSessions('director1');
    for (const name of ['c1', 'c2', 'c3']) await attachClient(name);
    // Changes only: after the full state, each patch is a fraction of it.
    const watcher = attached[attached.length - 1]!;
    const patchBytes: number[] = [];
    watcher.listen(
      (p) => patchBytes.push(JSON.stringify(p).length),
      () => undefined,
    );
    for (const name of ['a', 'b'])
      screens.push(
        new TmuxScreen(`attach-${name}`, `node ${CLI} attach ${join(dir, 'serve.sock')} --operator ${name}`),
      );
    const row = /192\.168\.60\.99:80\s+Masq\s+(\d+)/;
    const shown = await Promise.all(
      screens.map(async (s) => {
        s.keys('2');
        const screen = await s.waitFor((t) => row.test(t), 20_000, 'the real server row');
        return row.exec(screen)![1];
      }),
    );
    expect(shown[0]).toBe(String(await ipvsadmWeight()));
    expect(shown[1]).toBe(shown[0]);
    const withViewers = await sshdSessions('director1');
    // serve's one connection plus this probe's own.
    expect(withViewers).toBe(2);
    expect(withViewers).toBe(alone);
    expect(serveLog.filter((l) => l.includes('attached:')).length).toBeGreaterThanOrEqual(5);
    const fullBytes = JSON.stringify(watcher.state).length;
    const mean = patchBytes.reduce((a, b) => a + b, 0) / Math.max(1, patchBytes.length);
    process.stderr.write(
      `serve-lab: full state ${fullBytes} bytes; ${patchBytes.length} patches, mean ${Math.round(mean)} bytes, max ${Math.max(...patchBytes)}\n`,
    );
    expect(patchBytes.length).toBeGreaterThan(0);
    expect(mean).toBeLessThan(fullBytes / 2);
  });
});
