import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/frames.js';
import { TEST_TOKEN as TOKEN, serveTestKit } from '../../test/support/serve-kit.js';
import { applyPatch, createAttachedStore } from './attached-store.js';
import { SocketInUseError, ServeUsageError } from './serve-command.js';
import { stateSlices } from './state-diff.js';

/** Listens on a unix socket, then waits to be killed: a killed serve leaves its socket file like this. */
const STALE_MAKER = "require('net').createServer().listen(process.argv[1], () => console.log('up'))";
const kit = serveTestKit();
const { serve, attach, config, logs, running } = kit;

describe('lvstop serve attach protocol', () => {
  it('sends a full state on attach, then patches that keep two viewers equal to serve', async () => {
    const s = await serve();
    expect(statSync(join(kit.dir, 'serve.sock')).mode & 0o777).toBe(0o600);
    const a = await attach(join(kit.dir, 'serve.sock'));
    const b = await attach(join(kit.dir, 'serve.sock'), { operator: 'bob' });
    expect(a.hello.seed.clusters.map((c) => c.name)).toEqual(['here-cluster']);
    expect(a.hello.allowActions).toBe(false);
    expect(a.hello.operator).toBe(`alice(unix ${join(kit.dir, 'serve.sock')})`);
    const storeA = createAttachedStore([a]);
    const storeB = createAttachedStore([b]);
    let patches = 0;
    a.listen(
      (p) => {
        patches++;
        // A patch carries only what changed: never the history, never an unchanged host.
        expect(p.set).not.toHaveProperty('history');
        applyPatch(storeA, p);
      },
      () => undefined,
    );
    b.listen(
      (p) => applyPatch(storeB, p),
      () => undefined,
    );
    // Two polls later every viewer holds what serve holds.
    await eventually(() => (s.fleet.store.getState().hosts.here?.readAt ?? 0) > 0 && patches >= 2, 10_000);
    // Stop polling so serve's state holds still, then every viewer must converge on it.
    s.fleet.store.getState().setPaused(true);
    const plain = (v: unknown) => JSON.stringify(v);
    const want = () => plain(stateSlices(s.fleet.store.getState()));
    await eventually(
      () => plain(stateSlices(storeA.getState())) === want() && plain(stateSlices(storeB.getState())) === want(),
      5000,
    );
    expect(JSON.parse(plain(stateSlices(storeA.getState())))).toEqual(JSON.parse(want()));
  });

  it('refuses a second serve on a live socket and replaces a stale socket file', async () => {
    await serve();
    await expect(serve()).rejects.toThrow(SocketInUseError);
    await expect(serve()).rejects.toThrow(/another lvstop serve is answering/);
    await running.splice(0)[0]!.stop();
    expect(existsSync(join(kit.dir, 'serve.sock'))).toBe(false);
    // A socket file nobody listens on: what a killed serve leaves behind.
    const stale = join(kit.dir, 'stale.sock');
    const child = spawn(process.execPath, ['-e', STALE_MAKER, stale], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(stale)).toBe(true);
    await serve({ socket: stale });
    const c = await attach(stale);
    expect(c.hello.site).toBe('test');
    // A path that is not a socket is never removed.
    writeFileSync(join(kit.dir, 'plain'), 'x');
    await expect(serve({ socket: join(kit.dir, 'plain') })).rejects.toThrow(/not a socket/);
    expect(existsSync(join(kit.dir, 'plain'))).toBe(true);
  });

  it('says clearly why an attach fails: nothing there, wrong token', async () => {
    await expect(attach(join(kit.dir, 'none.sock'))).rejects.toThrow(/no such socket/);
    const tokens = join(kit.dir, 'tokens');
    writeFileSync(tokens, `${TOKEN}\n`);
    chmodSync(tokens, 0o600);
    const s = await serve({ listen: '127.0.0.1:0', tokenFile: tokens });
    await expect(attach(`http://127.0.0.1:${s.port}`, { token: 'wrong-token-0123456789' })).rejects.toThrow(
      /wrong or missing token/,
    );
    await expect(attach(`http://127.0.0.1:${s.port}`)).rejects.toThrow(/wrong or missing token/);
    const ok = await attach(`http://127.0.0.1:${s.port}`, { token: TOKEN.split(':')[1]! });
    expect(ok.hello.operator).toBe('alice(tcp 127.0.0.1 token oncall)');
    await expect(serve({ socket: join(kit.dir, 'x.sock'), listen: '127.0.0.1:0' })).rejects.toThrow(ServeUsageError);
    chmodSync(tokens, 0o644);
    await expect(serve({ socket: join(kit.dir, 'y.sock'), listen: '127.0.0.1:0', tokenFile: tokens })).rejects.toThrow(
      /its group or others may read or write it \(mode 644\); chmod 600/,
    );
  });

  it('drops a client that sends garbage, an oversized line or an action it may not run, and keeps serving', async () => {
    const s = await serve();
    const path = join(kit.dir, 'serve.sock');
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const sock = connect(path);
        let got = '';
        sock.on('data', (d) => (got += String(d)));
        sock.on('close', () => resolve(got));
        sock.on('error', () => resolve(got));
        sock.write(text);
      });
    expect(await raw('this is not json\n')).toMatch(/"t":"error","message":"a line is not JSON"/);
    expect(await raw('{"t":"plan","id":1}\n')).toMatch(/say hello first/);
    expect(await raw(`${'x'.repeat(70_000)}\n`)).toMatch(/longer than 65536 bytes/);
    expect(await raw('{"t":"hello","v":1,"operator":"bad name;rm"}\n')).toMatch(/operator: expected/);
    // Read-only serve: a plan is answered, not run; the connection stays.
    const c = await attach(path);
    const reply = c.reply(7);
    c.send({
      t: 'plan',
      id: 7,
      request: {
        kind: 'weight',
        cluster: 'here-cluster',
        targets: [{ kind: 'real-server', director: 'here', service: 'x', realServer: { address: 'y', port: 80 } }],
        value: 0,
      },
    });
    expect(await reply).toMatchObject({ t: 'planned', ok: false, message: expect.stringMatching(/read-only/) });
    const run = c.reply(8);
    c.send({ t: 'run', id: 8, confirmation: true });
    expect(await run).toMatchObject({ t: 'ran', ok: false, message: 'no such plan: plan again' });
    // Serve still polls and serves new viewers; nothing was written to the audit log.
    const later = await attach(path, { operator: 'carol' });
    expect(Object.keys(later.state.hosts)).toEqual(['here']);
    expect(existsSync(join(kit.dir, 'audit.jsonl'))).toBe(false);
    expect(s.hub.viewers).toBe(2);
  });

  it('keeps every log line one line, whatever a client sends, and warns of a socket others may write', async () => {
    await serve({ socketMode: 0o666 });
    expect(logs).toContain(
      "warning: --socket-mode 666 lets every local user attach (others may write the socket); use 660 and the socket's group",
    );
    const sock = connect(join(kit.dir, 'serve.sock'));
    sock.on('error', () => undefined);
    sock.resume();
    // A key the schema quotes in its error, holding a newline, a forged line and an ANSI sequence.
    const hello = JSON.stringify({ t: 'hello', v: 1, operator: 'mallory' });
    const forged = JSON.stringify({ t: 'refresh', ['\u001b[2J\n2026-01-01T00:00:00.000Z attached: root(unix)']: 1 });
    sock.write(`${hello}\n${forged}\n`);
    await eventually(() => logs.some((l) => l.startsWith('dropping mallory(')), 10_000);
    const drop = logs.find((l) => l.startsWith('dropping mallory('))!;
    expect(drop).toContain('refresh: Unrecognized key: "\\x1b[2J\\n2026-01-01T00:00:00.000Z attached: root(unix)"');
    // eslint-disable-next-line no-control-regex -- no control character may reach the log
    for (const l of logs) expect(l).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    sock.destroy();
  });

  it('shows two serves in one console, and refuses two serves with the same names', async () => {
    await serve();
    const other = await config('elsewhere', 'there');
    await serve({ socket: join(kit.dir, 'other.sock') }, other);
    const a = await attach(join(kit.dir, 'serve.sock'));
    const b = await attach(join(kit.dir, 'other.sock'));
    const store = createAttachedStore([a, b]);
    expect(store.getState().clusters.map((c) => c.name)).toEqual(['here-cluster', 'elsewhere']);
    expect(Object.keys(store.getState().hosts).sort()).toEqual(['here', 'there']);
    const { nameCollisions } = await import('./attached-store.js');
    const same = await attach(join(kit.dir, 'serve.sock'));
    expect(nameCollisions([a, same])).toEqual([]);
    expect(nameCollisions([a, { ...same, target: 'second' }])).toEqual([
      `cluster here-cluster (${join(kit.dir, 'serve.sock')} and second)`,
      `host here (${join(kit.dir, 'serve.sock')} and second)`,
    ]);
  });
});

describe('serve listeners', () => {
  it('says so when the TCP address is taken, and leaves nothing behind', async () => {
    const tokens = join(kit.dir, 'tokens');
    writeFileSync(tokens, `${TOKEN}\n`, { mode: 0o600 });
    const first = await serve({ socket: join(kit.dir, 'a.sock'), listen: '127.0.0.1:0', tokenFile: tokens });
    await expect(
      serve({ socket: join(kit.dir, 'b.sock'), listen: `127.0.0.1:${first.port}`, tokenFile: tokens }),
    ).rejects.toThrow(`cannot listen on 127.0.0.1:${first.port}: EADDRINUSE`);
    expect(existsSync(join(kit.dir, 'b.sock'))).toBe(false);
  });
});

describe('actions from an attached console', () => {
  it("plan on the serve that owns the cluster, through serve's action layer, and refuse what no serve may do", async () => {
    const { remoteActions } = await import('./remote-actions.js');
    await serve({ allowActions: true });
    const other = await config('elsewhere', 'there');
    await serve({ socket: join(kit.dir, 'other.sock') }, other);
    const acting = await attach(join(kit.dir, 'serve.sock'));
    const readOnly = await attach(join(kit.dir, 'other.sock'));
    expect(acting.hello.allowActions).toBe(true);
    const actions = remoteActions([acting, readOnly]);
    // Serve's action layer answers: this machine has no such IPVS service, so nothing is planned.
    const planned = await actions.plan({
      kind: 'weight',
      cluster: 'here-cluster',
      targets: [
        {
          kind: 'real-server',
          director: 'here',
          service: 'TCP 127.0.0.1:80',
          realServer: { address: '127.0.0.2', port: 80 },
        },
      ],
      value: 0,
    });
    expect(planned.ok).toBe(false);
    expect(logs.some((l) => l.startsWith('plan by alice(unix '))).toBe(true);
    expect(
      await actions.plan({
        kind: 'weight',
        cluster: 'elsewhere',
        targets: [
          {
            kind: 'real-server',
            director: 'there',
            service: 'TCP 127.0.0.1:80',
            realServer: { address: 'x', port: 80 },
          },
        ],
        value: 0,
      }),
    ).toEqual({ ok: false, message: `read-only: ${join(kit.dir, 'other.sock')} does not allow actions` });
    expect(
      await actions.plan({
        kind: 'release',
        cluster: 'nowhere',
        target: { kind: 'vrrp', director: 'd', instance: 'i' },
      }),
    ).toEqual({
      ok: false,
      message: 'no attached serve has cluster nowhere',
    });
    // The one line serve's pipeline wrote: the refused plan, naming the attached operator; nothing was sent.
    const lines = readFileSync(join(kit.dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      operator: expect.stringMatching(new RegExp(`^alice\\(unix ${join(kit.dir, 'serve.sock')}\\)@`)),
      result: 'error',
      sent: 0,
    });
  });
});
