import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessActionContext, type ActionContext } from '../../src/actions/action-context.js';
import { fileAuditLog, parseAuditLines } from '../../src/actions/audit-log.js';
import { fileDrainMemory } from '../../src/actions/drain-memory.js';
import { runAction } from '../../src/actions/run-action.js';
import { loadConfig, type ResolvedConfig } from '../../src/config/load-config.js';
import { consoleActions } from '../../src/console-actions.js';
import { directorHealth } from '../../src/model/rs-health.js';
import { createFleet, type Fleet } from '../../src/poller/fleet.js';
import type { Transport } from '../../src/transport/transport.js';
import { planWeight } from '../support/plan-actions.js';
import { eventually, LAB, LAB_CONFIG, labCommand, paced, runCli, sshLab } from '../support/lab.js';

// Drains that cannot leave a service without healthy servers, or a host half drained, caused for real on the lab's
// NAT cluster. Every weight and fault is put back in a finally.

const NAT = 'nat-director';
const TCP = 'tcp:172.16.60.22:80';
const REAL1 = '192.168.60.99:80';
let dir: string;
let config: string;
let auditFile: string;
let resolved: ResolvedConfig;

/** real1's weight in each NAT service, as OpenSSH reads it: TCP, UDP, FWM 1. */
async function real1Weights(): Promise<number[]> {
  const text = await sshLab(NAT, 'ipvsadm -L -n --exact');
  return [...text.matchAll(/^ {2}-> 192\.168\.60\.99:\d+\s+\S+\s+(\d+)/gm)].map((m) => Number(m[1]));
}
const resetWeights = () =>
  sshLab(
    NAT,
    'for s in "-t 172.16.60.22:80 -r 192.168.60.99:80" "-t 172.16.60.22:80 -r 192.168.60.40:80" ' +
      '"-u 172.16.60.22:53 -r 192.168.60.99:53" "-f 1 -r 192.168.60.99:80"; do ipvsadm -e $s -m -w 1; done',
  );
const audit = async () => parseAuditLines(await readFile(auditFile, 'utf8').catch(() => ''));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvstop-drain-safety-'));
  auditFile = join(dir, 'audit.jsonl');
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
  resolved = await loadConfig(config);
  await resetWeights();
});

afterAll(async () => {
  await resetWeights();
  await rm(dir, { recursive: true, force: true });
});

describe('a floor on healthy servers', () => {
  let fleet: Fleet;
  afterAll(async () => {
    await fleet?.stop();
  });

  it("with real2's httpd stopped, draining real1 asks for the typed name; headless exits 3; --force --reason goes through, audited", async () => {
    fleet = createFleet(resolved, { pollIntervalMs: 2000 });
    fleet.start();
    const health = () =>
      directorHealth(fleet.store.getState(), NAT, Date.now()).find(
        (h) => h.address === '192.168.60.40' && h.service.key === 'TCP 172.16.60.22:80',
      );
    await eventually(async () => (health()?.healthy === true ? true : undefined), await paced(90_000), 500);
    await labCommand('fault', 'stop-httpd', 'real2');
    try {
      await eventually(async () => (health()?.healthy === false ? true : undefined), await paced(60_000), 500);
      // The console: the preview names the floor and which servers are healthy, and wants real1 typed.
      const actions = consoleActions(resolved, fleet, false);
      const planned = await actions.plan({
        kind: 'weight',
        cluster: 'discuz',
        targets: [
          {
            kind: 'real-server',
            director: NAT,
            service: 'TCP 172.16.60.22:80',
            realServer: { address: '192.168.60.99', port: 80 },
          },
        ],
        value: 'drain',
      });
      if (!planned.ok) throw new Error(planned.message);
      expect(planned.preview.confirmName).toBe(REAL1);
      expect(planned.preview.guardReason).toMatch(/fewer healthy servers than the floor/);
      expect(planned.preview.lines.join('\n')).toMatch(/192\.168\.60\.40:80.*(down|fail)/i);
      const refused = await actions.run(planned.token, true);
      expect(refused.ok).toBe(false);
      expect(await real1Weights()).toEqual([1, 1, 1]);

      // Headless: refused (exit 3) with --yes alone; --force needs a reason; with one it goes through.
      const drain = ['-c', config, 'weight', 'discuz', NAT, TCP, REAL1, 'drain', '--yes'];
      const no = await runCli(drain);
      expect(no.code, no.stderr).toBe(3);
      expect(await real1Weights()).toEqual([1, 1, 1]);
      expect((await runCli([...drain, '--force'])).code).toBe(2);
      const forced = await runCli([...drain, '--force', '--reason', 'real1 disk swap, real2 known down']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(await real1Weights()).toEqual([0, 1, 1]);
      const last = (await audit()).at(-1)!;
      expect(last).toMatchObject({ result: 'ok', forced: true, reason: 'real1 disk swap, real2 known down' });
    } finally {
      await labCommand('fault', '--repair', 'stop-httpd', 'real2');
      await resetWeights();
    }
  });
});

describe('a whole host as one change', () => {
  let ctx: ActionContext;
  let close: () => Promise<void>;
  beforeAll(() => {
    ({ ctx, close } = headlessActionContext(resolved, {
      audit: fileAuditLog(auditFile),
      drained: fileDrainMemory(join(dir, 'drained-weights.json')),
      readOnly: false,
    }));
  });
  afterAll(async () => {
    await close?.();
  });

  it('a step changed behind the console during the run: the steps already sent are set back, audited step by step', async () => {
    const plan = await planWeight(ctx, {
      cluster: 'discuz',
      director: NAT,
      service: 'all',
      realServer: 'real1',
      change: { kind: 'drain' },
    });
    expect(plan.preview.commands).toHaveLength(3);
    // Someone sets real1's UDP weight to 5 by hand once the first step has gone out.
    let sent = 0;
    const behind = (t: Transport): Transport => ({
      ...t,
      host: t.host,
      state: t.state,
      lastError: t.lastError,
      close: () => t.close(),
      exec: async (argv, options) => {
        const r = await t.exec(argv, options);
        if (argv.includes('-e') && ++sent === 1)
          await sshLab(NAT, 'ipvsadm -e -u 172.16.60.22:53 -r 192.168.60.99:53 -m -w 5');
        return r;
      },
    });
    const sneaky: ActionContext = { ...ctx, transport: (h) => behind(ctx.transport(h)) };
    try {
      const result = await runAction(sneaky, plan, { confirmation: true, reason: 'host-wide drain test' });
      expect(result).toMatchObject({ outcome: 'aborted-cas', exitCode: 4 });
      expect(result.message).toMatch(
        /^the live state changed before step 2 of 3: .*live 5; the steps before it were set back:/,
      );
      expect(await real1Weights()).toEqual([1, 5, 1]);
      const last = (await audit()).at(-1)!;
      expect(last).toMatchObject({ result: 'aborted-cas', reason: 'host-wide drain test', sent: 2 });
      expect(last.steps?.map((s) => s.result)).toEqual(['set back', 'not sent', 'not sent']);
    } finally {
      await resetWeights();
    }
  });
});
