import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessActionContext, type ActionContext } from '../../src/actions/action-context.js';
import type { ActionPlan } from '../../src/actions/action-types.js';
import { registerActionCommands } from '../../src/cli/headless-commands.js';
import { fileAuditLog, parseAuditLines } from '../../src/actions/audit-log.js';
import { fileDrainMemory } from '../../src/actions/drain-memory.js';
import { planFailover, planRelease, planScheduler, planWeight } from '../support/plan-actions.js';
import { runAction } from '../../src/actions/run-action.js';
import { planUndoLast } from '../../src/actions/undo.js';
import { loadConfig, type ResolvedConfig } from '../../src/config/load-config.js';
import { consoleActions } from '../../src/console-actions.js';
import { createFleet } from '../../src/poller/fleet.js';
import { serviceRows } from '../../src/render/service-rows.js';
import { eventually, LAB, LAB_CONFIG, paced, sshLab } from '../support/lab.js';

// Actions against the real lab, each checked with OpenSSH independently of the console. Every test puts back what
// it changed (afterAll resets the lab's IPVS tables and track files to how lab.sh builds them).

const NAT = 'nat-director';
const TCP = 'tcp:172.16.60.22:80';
const REAL1 = '192.168.60.99:80';

/** One real server line of `ipvsadm -L -n --exact`, read over ssh: [forwarding, weight]. */
async function row(service: string, rs: string): Promise<[string, number]> {
  const text = await sshLab(NAT, 'ipvsadm -L -n --exact');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(service));
  const line = lines.slice(start + 1).find((l) => l.trim().startsWith(`-> ${rs} `));
  const [, , forward, weight] = line!.trim().split(/\s+/);
  return [forward!, Number(weight)];
}

const serviceLine = async (service: string) =>
  (await sshLab(NAT, 'ipvsadm -L -n --exact'))
    .split('\n')
    .find((l) => l.startsWith(service))!
    .trim();

async function vipHolders(): Promise<string[]> {
  const held = await Promise.all(
    ['director1', 'director2'].map(async (h) =>
      (await sshLab(h, 'ip -4 -o addr show dev eth0')).includes(' 10.18.11.40/') ? h : '',
    ),
  );
  return held.filter(Boolean);
}

async function resetLab(): Promise<void> {
  await sshLab(
    NAT,
    'for s in "-t 172.16.60.22:80 -r 192.168.60.99:80" "-t 172.16.60.22:80 -r 192.168.60.40:80" ' +
      '"-u 172.16.60.22:53 -r 192.168.60.99:53" "-u 172.16.60.22:53 -r 192.168.60.40:53" ' +
      '"-f 1 -r 192.168.60.99:80" "-f 1 -r 192.168.60.40:80"; do ipvsadm -e $s -m -w 1; done; ' +
      'ipvsadm -E -t 172.16.60.22:80 -s wlc -p 30',
  );
  await sshLab(
    NAT,
    'for rs in fd00:60::99 fd00:60::40; do ipvsadm -e -f 77 -6 -r "[$rs]:80" -m -w 1; done; ipvsadm -E -f 77 -6 -s rr',
  );
  for (const h of ['director1', 'director2'])
    await sshLab(h, 'echo 0 > /etc/keepalived/lvstop_prio; echo 0 > /etc/keepalived/lvstop_fault');
}

let dir: string;
let resolved: ResolvedConfig;
let ctx: ActionContext;
let close: () => Promise<void>;
let auditFile: string;

const auditResults = async () =>
  parseAuditLines(await readFile(auditFile, 'utf8').catch(() => '')).map((r) => r.result);

type Change = Parameters<typeof planWeight>[1]['change'];
/** Plan a weight change on the NAT director (TCP service and real1 unless told). */
const weight = (change: Change, service = TCP, realServer = REAL1) =>
  planWeight(ctx, { cluster: 'discuz', director: NAT, service, realServer, change });
/** Run a plan confirmed with y. */
const confirmed = async (plan: Promise<ActionPlan> | ActionPlan) => runAction(ctx, await plan, { confirmation: true });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvstop-actions-'));
  auditFile = join(dir, 'audit.jsonl');
  resolved = { ...(await loadConfig(LAB_CONFIG)), auditLog: auditFile };
  ({ ctx, close } = headlessActionContext(resolved, {
    audit: fileAuditLog(auditFile),
    drained: fileDrainMemory(join(dir, 'drained-weights.json')),
    readOnly: false,
    // The emulated lab needs seconds per keepalived dump of both directors; a real pair settles well within 15 s.
    failoverTimeoutMs: 30_000,
  }));
  await resetLab();
});

afterAll(async () => {
  await close?.();
  await resetLab();
  await rm(dir, { recursive: true, force: true });
});

describe('real server weight', () => {
  const TCP_ROW = 'TCP  172.16.60.22:80';

  it('sets, drains and restores a weight; Masq stays Masq', async () => {
    expect((await confirmed(weight({ kind: 'set', weight: 3 }))).outcome).toBe('ok');
    expect(await row(TCP_ROW, REAL1)).toEqual(['Masq', 3]);
    expect((await confirmed(weight({ kind: 'drain' }))).outcome).toBe('ok');
    expect(await row(TCP_ROW, REAL1)).toEqual(['Masq', 0]);
    expect((await confirmed(weight({ kind: 'restore' }))).outcome).toBe('ok');
    expect(await row(TCP_ROW, REAL1)).toEqual(['Masq', 3]);
    expect((await confirmed((await planUndoLast(ctx)).plan)).outcome).toBe('ok');
    expect(await row(TCP_ROW, REAL1)).toEqual(['Masq', 0]);
    await sshLab(NAT, 'ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 1');
    expect(await auditResults()).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('drains a real server in every service by host name', async () => {
    const plan = await weight({ kind: 'drain' }, 'all', 'real1');
    expect(plan.edits).toHaveLength(3);
    expect((await confirmed(plan)).outcome).toBe('ok');
    expect(await row('UDP  172.16.60.22:53', '192.168.60.99:53')).toEqual(['Masq', 0]);
    expect(await row('FWM  1', REAL1)).toEqual(['Masq', 0]);
    expect((await confirmed(weight({ kind: 'restore' }, 'all', 'real1'))).outcome).toBe('ok');
    expect(await row('UDP  172.16.60.22:53', '192.168.60.99:53')).toEqual(['Masq', 1]);
  });

  it('aborts when the weight changed behind the console', async () => {
    const plan = await weight({ kind: 'drain' });
    await sshLab(NAT, 'ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 5');
    try {
      const result = await confirmed(plan);
      expect(result).toMatchObject({ outcome: 'aborted-cas', exitCode: 4 });
      expect(await row(TCP_ROW, REAL1)).toEqual(['Masq', 5]);
      expect((await auditResults()).at(-1)).toBe('aborted-cas');
    } finally {
      await sshLab(NAT, 'ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 1');
    }
  });

  it('guards draining the last real server with weight', async () => {
    const UDP = 'udp:172.16.60.22:53';
    expect((await confirmed(weight({ kind: 'drain' }, UDP, '192.168.60.99:53'))).outcome).toBe('ok');
    try {
      const last = await weight({ kind: 'drain' }, UDP, '192.168.60.40:53');
      expect(last.guard?.confirmName).toBe('192.168.60.40:53');
      expect(await confirmed(last)).toMatchObject({ outcome: 'refused-guard', exitCode: 3 });
      expect(await row('UDP  172.16.60.22:53', '192.168.60.40:53')).toEqual(['Masq', 1]);
    } finally {
      await sshLab(NAT, 'ipvsadm -e -u 172.16.60.22:53 -r 192.168.60.99:53 -m -w 1');
    }
  });
});

describe('scheduler', () => {
  it('switches wlc → rr and back, keeping persistence', async () => {
    const rr = await runAction(
      ctx,
      await planScheduler(ctx, { cluster: 'discuz', director: NAT, service: TCP, scheduler: 'rr' }),
      { confirmation: true },
    );
    expect(rr.outcome).toBe('ok');
    expect(await serviceLine('TCP  172.16.60.22:80')).toBe('TCP  172.16.60.22:80 rr persistent 30');
    const { plan: back } = await planUndoLast(ctx);
    expect((await runAction(ctx, back, { confirmation: true })).outcome).toBe('ok');
    expect(await serviceLine('TCP  172.16.60.22:80')).toBe('TCP  172.16.60.22:80 wlc persistent 30');
  });

  it('refuses a scheduler the kernel lacks, before sending anything', async () => {
    await expect(
      planScheduler(ctx, { cluster: 'discuz', director: NAT, service: TCP, scheduler: 'twos' }),
    ).rejects.toThrow(/twos is not available on nat-director/);
  });
});

describe('VRRP failover', () => {
  const instance = { cluster: 'wordpress', director: 'director1', instance: 'VI_WEB' } as const;

  it('forces director1 to BACKUP: director2 takes the VIP; release gives it back', async () => {
    expect(await vipHolders()).toEqual(['director1']);
    const plan = await planFailover(ctx, { ...instance, to: 'BACKUP' });
    expect(plan.guard).toBeUndefined();
    const forced = await runAction(ctx, plan, { confirmation: true });
    expect(forced.outcome).toBe('ok');
    expect(await vipHolders()).toEqual(['director2']);
    process.stdout.write(`force BACKUP verified in ${forced.verifyMs} ms\n`);

    const release = await runAction(ctx, await planRelease(ctx, instance), { confirmation: true });
    expect(release.outcome).toBe('ok');
    expect(await vipHolders()).toEqual(['director1']);
    process.stdout.write(`release verified in ${release.verifyMs} ms\n`);
  });

  it('forces director2 to MASTER and back', async () => {
    const forced = await runAction(ctx, await planFailover(ctx, { ...instance, director: 'director2', to: 'MASTER' }), {
      confirmation: true,
    });
    expect(forced.outcome).toBe('ok');
    expect(await vipHolders()).toEqual(['director2']);
    const { plan: undo } = await planUndoLast(ctx);
    expect(undo.kind).toBe('release');
    expect((await runAction(ctx, undo, { confirmation: true })).outcome).toBe('ok');
    expect(await vipHolders()).toEqual(['director1']);
  });

  it('guards forcing BACKUP while the peer is in FAULT', async () => {
    await sshLab('director2', 'echo 1 > /etc/keepalived/lvstop_fault');
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const plan = await planFailover(ctx, { ...instance, to: 'BACKUP' });
      expect(plan.guard?.reason).toMatch(/director2 is FAULT/);
      expect((await runAction(ctx, plan, { confirmation: 'y' })).outcome).toBe('refused-guard');
      expect(await vipHolders()).toEqual(['director1']);
    } finally {
      await sshLab('director2', 'echo 0 > /etc/keepalived/lvstop_fault');
    }
  });
});

describe('read-only', () => {
  it('refuses every action and changes nothing', async () => {
    const ro = headlessActionContext(resolved, { audit: fileAuditLog(auditFile), readOnly: true });
    try {
      const before = await sshLab(NAT, 'ipvsadm -S -n');
      const plans = [
        await planWeight(ro.ctx, {
          cluster: 'discuz',
          director: NAT,
          service: TCP,
          realServer: REAL1,
          change: { kind: 'drain' },
        }),
        await planScheduler(ro.ctx, { cluster: 'discuz', director: NAT, service: TCP, scheduler: 'rr' }),
        await planFailover(ro.ctx, {
          ...{ cluster: 'wordpress', director: 'director1', instance: 'VI_WEB' },
          to: 'BACKUP',
        }),
      ];
      for (const plan of plans)
        expect((await runAction(ro.ctx, plan, { confirmation: true })).outcome).toBe('refused-read-only');
      expect(await sshLab(NAT, 'ipvsadm -S -n')).toBe(before);
      expect(await vipHolders()).toEqual(['director1']);
      expect((await auditResults()).slice(-3)).toEqual(['refused-read-only', 'refused-read-only', 'refused-read-only']);
    } finally {
      await ro.close();
    }
  });
});

describe('headless commands', () => {
  let config: string;
  beforeAll(async () => {
    config = join(dir, 'lvstop.json');
    const lab = JSON.parse(await readFile(LAB_CONFIG, 'utf8')) as Record<string, unknown>;
    await writeFile(
      config,
      JSON.stringify({
        ...lab,
        sshConfig: join(LAB, 'ssh_config'),
        knownHosts: join(LAB, 'known_hosts'),
        auditLog: auditFile,
      }),
    );
  });

  async function cli(...args: string[]): Promise<number> {
    const program = new Command()
      .exitOverride()
      .option('-c, --config <file>')
      .option('--read-only')
      .option('--accept-new');
    registerActionCommands(program, loadConfig);
    process.exitCode = 0;
    await program.parseAsync(['-c', config, ...args], { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return code;
  }

  it('exits 2 on bad input without sending anything, 0 when done, 3 when refused', async () => {
    for (const bad of ['70000', 'abc', '1.5'])
      expect(await cli('weight', 'discuz', NAT, TCP, REAL1, bad, '--yes')).toBe(2);
    expect(await cli('weight', 'nope', NAT, TCP, REAL1, '1', '--yes')).toBe(2);
    expect(await cli('weight', 'discuz', NAT, TCP, '192.168.60.7:80', '1', '--yes')).toBe(2);
    expect(await cli('scheduler', 'discuz', NAT, TCP, 'bogus', '--yes')).toBe(2);
    expect(await cli('weight', 'discuz', NAT, TCP, REAL1, '2', '--yes')).toBe(0);
    expect(await row('TCP  172.16.60.22:80', REAL1)).toEqual(['Masq', 2]);
    expect(await cli('--read-only', 'weight', 'discuz', NAT, TCP, REAL1, '1', '--yes')).toBe(3);
    expect(await cli('weight', 'discuz', NAT, TCP, REAL1, '1', '--yes', '--json')).toBe(0);
    expect(await row('TCP  172.16.60.22:80', REAL1)).toEqual(['Masq', 1]);
  });

  it('needs --confirm-name for a guarded action even with --yes', async () => {
    await sshLab(NAT, 'ipvsadm -e -f 1 -r 192.168.60.99:80 -m -w 0');
    try {
      expect(await cli('weight', 'discuz', NAT, 'fwm:1', '192.168.60.40:80', 'drain', '--yes')).toBe(3);
      expect(await row('FWM  1', '192.168.60.40:80')).toEqual(['Masq', 1]);
      expect(
        await cli(
          'weight',
          'discuz',
          NAT,
          'fwm:1',
          '192.168.60.40:80',
          'drain',
          '--yes',
          '--confirm-name',
          '192.168.60.40:80',
        ),
      ).toBe(0);
      expect(await row('FWM  1', '192.168.60.40:80')).toEqual(['Masq', 0]);
    } finally {
      await sshLab(NAT, 'ipvsadm -e -f 1 -r 192.168.60.99:80 -m -w 1; ipvsadm -e -f 1 -r 192.168.60.40:80 -m -w 1');
    }
  });
});

describe('the IPv6 fwmark service (FWM 77 IPv6)', () => {
  const FWM6 = 'FWM  77 IPv6';
  const V6_REAL1 = '[fd00:60::99]:80';

  it('is drained and restored headless as fwm:77, and named by its key', async () => {
    const program = new Command().exitOverride().option('-c, --config <file>').option('--read-only');
    registerActionCommands(program, async () => resolved);
    const cli = async (...args: string[]) => {
      process.exitCode = 0;
      await program.parseAsync(['-c', LAB_CONFIG, ...args], { from: 'user' });
      const code = Number(process.exitCode ?? 0);
      process.exitCode = 0;
      return code;
    };
    expect(await cli('weight', 'discuz', NAT, 'fwm:77', V6_REAL1, 'drain', '--yes')).toBe(0);
    expect(await row(FWM6, V6_REAL1)).toEqual(['Masq', 0]);
    expect(await cli('weight', 'discuz', NAT, 'FWM 77 IPv6', V6_REAL1, 'restore', '--yes')).toBe(0);
    expect(await row(FWM6, V6_REAL1)).toEqual(['Masq', 1]);
    expect(await cli('weight', 'discuz', NAT, 'fwm:77', '[fd00:60::7]:80', '0', '--yes')).toBe(2);
  });

  it('is drained from the console through the row it shows, and its scheduler switched', async () => {
    const fleet = createFleet(resolved);
    try {
      // A poll of a starved lab can miss its command timeout: read again, as the console does on its next interval,
      // until the table is there.
      const rows = await eventually(
        async () => {
          await fleet.refreshAll();
          const shown = serviceRows(fleet.store.getState(), 'discuz', Date.now()).rows;
          return shown.some((r) => r.cells[0] === 'FWM 77 IPv6') ? shown : undefined;
        },
        await paced(60_000),
        1000,
      );
      const actions = consoleActions(resolved, fleet, false);
      const service = rows.find((r) => r.cells[0] === 'FWM 77 IPv6');
      const real1 = rows.find(
        (r) =>
          r.target?.kind === 'real-server' && r.target.service === 'FWM 77 IPv6' && r.cells[0]?.includes('fd00:60::99'),
      );
      expect(real1?.target).toEqual({
        kind: 'real-server',
        director: NAT,
        service: 'FWM 77 IPv6',
        realServer: { address: 'fd00:60::99', port: 80 },
      });
      if (real1?.target?.kind !== 'real-server' || service?.target?.kind !== 'service') return;

      const drain = await actions.plan({ kind: 'weight', cluster: 'discuz', targets: [real1.target], value: 'drain' });
      if (!drain.ok) throw new Error(drain.message);
      expect(drain.preview.lines.join('\n')).toMatch(/argv \[.*"-f","77","-6","-r","\[fd00:60::99\]:80".*"-w","0"/);
      expect(await actions.run(drain.token, true)).toMatchObject({ ok: true });
      expect(await row(FWM6, V6_REAL1)).toEqual(['Masq', 0]);

      const sched = await actions.plan({
        kind: 'scheduler',
        cluster: 'discuz',
        target: service.target,
        scheduler: 'wrr',
      });
      if (!sched.ok) throw new Error(sched.message);
      expect(await actions.run(sched.token, true)).toMatchObject({ ok: true });
      expect(await serviceLine(FWM6)).toMatch(/^FWM {2}77 IPv6 wrr/);

      const undo = await actions.plan({ kind: 'undo' });
      if (!undo.ok) throw new Error(undo.message);
      expect(await actions.run(undo.token, true)).toMatchObject({ ok: true });
      expect(await serviceLine(FWM6)).toMatch(/^FWM {2}77 IPv6 rr/);
    } finally {
      await fleet.stop();
    }
  });
});
