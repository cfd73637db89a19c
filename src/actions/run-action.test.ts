import { beforeEach, describe, expect, it } from 'vitest';
import { realServerRowId } from '../../collectors/ids.js';
import { fixture, testContext } from '../../test/support/action-fixtures.js';
import { ScriptedDirector } from '../../test/support/scripted-director.js';
import { DRAIN_REAL1, natDirector, setRow } from '../../test/support/scripted-nat.js';
import type { ActionError } from './action-error.js';
import { planFailover, planScheduler, planWeight } from '../../test/support/plan-actions.js';
import { runAction } from './run-action.js';
import { planUndoLast } from './undo.js';

describe('the action pipeline', () => {
  let nat: ScriptedDirector;
  beforeEach(() => {
    nat = natDirector();
  });

  it('drains, verifies by reading back, remembers the weight and restores it', async () => {
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    expect(plan.preview.commands.map((c) => c.argv)).toEqual([
      ['ipvsadm', '-e', '-t', '172.16.60.22:80', '-r', '192.168.60.99:80', '-m', '-w', '0'],
    ]);
    expect(plan.preview.commands[0]!.command).toBe(
      'env LC_ALL=C LANG=C ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 0',
    );
    expect(plan.preview.warnings.join('\n')).toMatch(/persistent \(30 s\)/);
    expect(plan.guard).toBeUndefined();
    const result = await runAction(ctx, plan, { confirmation: 'y' });
    expect(result).toMatchObject({ outcome: 'ok', exitCode: 0 });
    expect(result.after['nat-director TCP 172.16.60.22:80 192.168.60.99:80 forwarding']).toBe('Masq');

    const restore = await planWeight(ctx, { ...DRAIN_REAL1, change: { kind: 'restore' } });
    expect(restore.edits.map((e) => [e.before, e.after])).toEqual([[0, 1]]);
    expect((await runAction(ctx, restore, { confirmation: true })).outcome).toBe('ok');
    expect(
      await planWeight(ctx, { ...DRAIN_REAL1, change: { kind: 'restore' } }).catch((e: ActionError) => e.message),
    ).toMatch(/no weight remembered/);
    expect(ctx.audit.lines.map((l) => [l.action, l.result, l.sent])).toEqual([
      ['weight', 'ok', 1],
      ['weight', 'ok', 1],
      ['weight', 'error', 0],
    ]);
    expect(Object.keys(ctx.audit.lines[0]!).sort()).toEqual(
      [
        'action',
        'after',
        'argv',
        'before',
        'cluster',
        'command',
        'durationMs',
        'host',
        'hosts',
        'message',
        'operator',
        'request',
        'result',
        'sent',
        'target',
        'time',
        'undo',
      ].sort(),
    );
    expect(ctx.audit.lines[0]).toMatchObject({
      operator: 'tester@console',
      cluster: 'discuz',
      host: 'nat-director',
      before: { 'nat-director TCP 172.16.60.22:80 192.168.60.99:80 weight': '1' },
      argv: [['ipvsadm', '-e', '-t', '172.16.60.22:80', '-r', '192.168.60.99:80', '-m', '-w', '0']],
    });
  });

  it('refuses every action in read-only mode before sending or reading anything', async () => {
    const ctx = testContext({ 'nat-director': nat }, { readOnly: true });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    const reads = nat.reads;
    const result = await runAction(ctx, plan, { confirmation: true });
    expect(result).toMatchObject({ outcome: 'refused-read-only', exitCode: 3 });
    expect(nat.commands).toEqual([]);
    expect(nat.reads).toBe(reads);
    expect(ctx.audit.lines.map((l) => l.result)).toEqual(['refused-read-only']);
  });

  it('aborts when the weight changed behind the console, and sends nothing', async () => {
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    nat.sections.set('ipvs-list', {
      stdout: setRow(nat.sections.get('ipvs-list')!.stdout, 'TCP  172.16.60.22:80', '192.168.60.99:80', 'Masq', 5),
    });
    const result = await runAction(ctx, plan, { confirmation: true });
    expect(result).toMatchObject({ outcome: 'aborted-cas', exitCode: 4 });
    expect(result.mismatches).toEqual([
      'nat-director TCP 172.16.60.22:80 192.168.60.99:80 weight: expected 1 (as previewed), live 5',
    ]);
    expect(nat.commands).toEqual([]);
    expect(ctx.audit.lines[0]!.result).toBe('aborted-cas');
  });

  it('aborts when what the operator saw is not what is live', async () => {
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, {
      ...DRAIN_REAL1,
      seen: { [realServerRowId('nat-director', 'TCP 172.16.60.22:80', { address: '192.168.60.99', port: 80 })]: 3 },
    });
    expect(plan.preview.warnings.join('\n')).toMatch(/weight is now 1, not 3 as shown/);
    expect((await runAction(ctx, plan, { confirmation: true })).outcome).toBe('aborted-cas');
  });

  it('guards draining the last real server with weight; only the typed name overrides', async () => {
    nat = natDirector(fixture('rs-drained/nat-director/ipvsadm-Ln.txt'));
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, { ...DRAIN_REAL1, realServer: '192.168.60.40:80' });
    expect(plan.guard).toEqual({
      reason:
        'nat-director TCP 172.16.60.22:80 would have no real server with weight > 0 and stop taking new connections',
      confirmName: '192.168.60.40:80',
    });
    expect((await runAction(ctx, plan, { confirmation: true })).outcome).toBe('refused-guard');
    expect((await runAction(ctx, plan, { confirmation: 'y' })).exitCode).toBe(3);
    expect(nat.commands).toEqual([]);
    expect((await runAction(ctx, plan, { confirmation: '192.168.60.40:80' })).outcome).toBe('ok');
  });

  it('changes the same real server in every service by host name, keeping each forwarding flag', async () => {
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, {
      ...DRAIN_REAL1,
      service: 'all',
      realServer: 'real1',
      change: { kind: 'set', weight: 3 },
    });
    expect(plan.preview.commands.map((c) => c.argv.slice(2).join(' '))).toEqual([
      '-t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 3',
      '-u 172.16.60.22:53 -r 192.168.60.99:53 -m -w 3',
      '-f 1 -r 192.168.60.99:80 -m -w 3',
    ]);
    expect((await runAction(ctx, plan, { confirmation: true })).outcome).toBe('ok');
    const { plan: undo } = await planUndoLast(ctx);
    expect(undo.preview.commands.map((c) => c.argv.at(-1))).toEqual(['1', '1', '1']);
    expect((await runAction(ctx, undo, { confirmation: true })).outcome).toBe('ok');
  });

  it('reports a read-back that never shows the change as verify-failed', async () => {
    nat.onCommand = () => undefined;
    const ctx = testContext({ 'nat-director': nat });
    const result = await runAction(ctx, await planWeight(ctx, DRAIN_REAL1), { confirmation: true });
    expect(result).toMatchObject({ outcome: 'verify-failed', exitCode: 5 });
    expect(result.mismatches).toEqual(['nat-director TCP 172.16.60.22:80 192.168.60.99:80 weight: expected 0, live 1']);
  });

  it('reports a host that drops mid-action as an error, with an audit line', async () => {
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    nat.down = true;
    const result = await runAction(ctx, plan, { confirmation: true });
    expect(result).toMatchObject({ outcome: 'error', exitCode: 1 });
    expect(result.message).toMatch(/connection lost/);
    expect(ctx.audit.lines[0]).toMatchObject({ result: 'error', sent: 0 });
  });

  it('refuses bad input before contacting a host, and audits what fails on the host', async () => {
    const ctx = testContext({ 'nat-director': nat });
    await expect(planWeight(ctx, { ...DRAIN_REAL1, cluster: 'nope' })).rejects.toThrow(/unknown cluster "nope"/);
    await expect(planWeight(ctx, { ...DRAIN_REAL1, director: 'real1' })).rejects.toThrow(/not a director/);
    await expect(planWeight(ctx, { ...DRAIN_REAL1, service: 'tcp:1.2.3.4' })).rejects.toThrow(/port is required/);
    expect(nat.reads).toBe(0);
    await expect(planWeight(ctx, { ...DRAIN_REAL1, realServer: '192.168.60.77:80' })).rejects.toThrow(
      /no real server 192.168.60.77:80 in TCP 172.16.60.22:80/,
    );
    await expect(
      planScheduler(ctx, {
        cluster: 'discuz',
        director: 'nat-director',
        service: 'fwm:9',
        scheduler: 'rr',
      }),
    ).rejects.toThrow(/no service FWM 9/);
    expect(ctx.audit.lines.map((l) => l.result)).toEqual(['error', 'error']);
  });

  it('switches a scheduler keeping persistence, and refuses one the kernel lacks', async () => {
    nat.sections.set('schedulers', { stdout: fixture('actions/nat-director-schedulers.txt') });
    const ctx = testContext({ 'nat-director': nat });
    const request = {
      cluster: 'discuz',
      director: 'nat-director',
      service: 'tcp:172.16.60.22:80',
      scheduler: 'rr',
    } as const;
    const plan = await planScheduler(ctx, request);
    expect(plan.preview.commands[0]!.argv).toEqual(['ipvsadm', '-E', '-t', '172.16.60.22:80', '-s', 'rr', '-p', '30']);
    expect(plan.preview.changes.map((c) => `${c.field} ${c.before}->${c.after}`)).toEqual([
      'scheduler wlc->rr',
      'persistence 30s->30s',
      'flags none->none',
    ]);
    await expect(planScheduler(ctx, { ...request, scheduler: 'twos' })).rejects.toThrow(
      /twos is not available on nat-director/,
    );
  });
});

describe('failover planning', () => {
  const kaDump = (state: string) =>
    `${fixture(`${state}/keepalived-json.txt`)}\n@@keepalived-data\n${fixture(`${state}/keepalived-data.txt`)}`;
  const director = (host: string, prio = '0') =>
    new ScriptedDirector(host, {
      keepalived: kaDump(`healthy/${host}`),
      'track-priority': prio,
      'track-fault': '0',
      'ip-addr': fixture(`healthy/${host}/ip-j-addr.txt`),
    });

  it('forces BACKUP on the MASTER with a delta one below the peer, read from the live dump', async () => {
    const ctx = testContext({ director1: director('director1'), director2: director('director2') });
    const plan = await planFailover(ctx, {
      cluster: 'wordpress',
      director: 'director1',
      instance: 'VI_WEB',
      to: 'BACKUP',
    });
    expect(plan.preview.commands.map((c) => c.argv)).toEqual([
      ['sh', '-c', 'printf "%s\\n" "$1" > "$2"', 'lvstop-write', '-11', '/etc/keepalived/lvstop_prio'],
    ]);
    expect(plan.guard).toBeUndefined();
    expect(
      plan.preview.changes
        .filter((c) => c.field !== 'effective priority')
        .map((c) => `${c.host} ${c.field} ${c.before}->${c.after}`),
    ).toEqual([
      'director1 track file 0->-11',
      'director1 state MASTER->BACKUP',
      'director1 VIP held->not held',
      'director2 state BACKUP->MASTER',
      'director2 VIP not held->held',
    ]);
    expect(plan.undo).toEqual({ action: 'release', cluster: 'wordpress', director: 'director1', instance: 'VI_WEB' });
  });

  it('guards forcing BACKUP when the peer cannot take over; the director name overrides', async () => {
    const peer = director('director2');
    peer.down = true;
    const ctx = testContext({ director1: director('director1'), director2: peer });
    const plan = await planFailover(ctx, {
      cluster: 'wordpress',
      director: 'director1',
      instance: 'VI_WEB',
      to: 'BACKUP',
    });
    expect(plan.guard?.confirmName).toBe('director1');
    expect(plan.guard?.reason).toMatch(/peer director2 is not ready to take over: unreachable/);
    expect(plan.preview.commands[0]!.argv.at(-1)).toBe('/etc/keepalived/lvstop_fault');
  });
});
