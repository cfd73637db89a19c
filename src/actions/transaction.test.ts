import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/action-fixtures.js';
import { planWeight } from '../../test/support/plan-actions.js';
import { DRAIN_REAL1, natDirector, setRow } from '../../test/support/scripted-nat.js';
import { runAction } from './run-action.js';

/** real1 in every service of the NAT director (the captured table), drained as one change: three steps. */
const HOST_DRAIN = { ...DRAIN_REAL1, service: 'all', realServer: 'real1' } as const;
const weights = (list: string) =>
  [...list.matchAll(/^ {2}-> 192\.168\.60\.99:\d+\s+\S+\s+(\d+)/gm)].map((m) => Number(m[1]));

describe('several commands as one change', () => {
  it('a step changed behind the console during the run: the steps before it are set back, step by step', async () => {
    const nat = natDirector();
    const edit = nat.onCommand;
    let sent = 0;
    // Once the first step has gone out, someone sets real1's UDP weight to 5 on the director by hand.
    nat.onCommand = (argv) => {
      const r = edit(argv);
      if (argv[1] === '-e' && ++sent === 1) {
        const list = nat.sections.get('ipvs-list')!.stdout;
        nat.sections.set('ipvs-list', { stdout: setRow(list, 'UDP  172.16.60.22:53', '192.168.60.99:53', 'Masq', 5) });
      }
      return r;
    };
    const ctx = testContext({ 'nat-director': nat });
    const plan = await planWeight(ctx, HOST_DRAIN);
    expect(plan.preview.commands).toHaveLength(3);
    const result = await runAction(ctx, plan, { confirmation: true });
    expect(result).toMatchObject({ outcome: 'aborted-cas', exitCode: 4 });
    // Sent: step 1, then its set-back; step 2 and 3 never.
    expect(nat.commands.map((a) => a.slice(2).join(' '))).toEqual([
      '-t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 0',
      '-t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 1',
    ]);
    expect(weights(nat.sections.get('ipvs-list')!.stdout)).toEqual([1, 5, 1]);
    expect(result.message).toContain(
      'the live state changed before step 2 of 3: nat-director UDP 172.16.60.22:53 192.168.60.99:53 weight: expected 1 (as previewed), live 5; the steps before it were set back:',
    );
    expect(result.message).toContain('nat-director UDP 172.16.60.22:53 192.168.60.99:53 weight now 5');
    const line = ctx.audit.lines[0]!;
    expect(line).toMatchObject({ result: 'aborted-cas', sent: 2 });
    expect(line.steps?.map((s) => s.result)).toEqual(['set back', 'not sent', 'not sent']);
    expect(line.steps?.[0]?.detail).toBe(
      'env LC_ALL=C LANG=C ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 1',
    );
    expect(line.steps?.[1]?.detail).toMatch(/expected 1 \(as previewed\), live 5/);
  });

  it('a command that fails sets back the steps before it; one changed again since is left as it is and said so', async () => {
    const nat = natDirector();
    const edit = nat.onCommand;
    let sent = 0;
    nat.onCommand = (argv) => {
      if (argv[1] !== '-e') return edit(argv);
      sent += 1;
      // Step 3 fails on the host; by then someone had put step 1's server to weight 7.
      if (sent === 3) {
        const list = nat.sections.get('ipvs-list')!.stdout;
        nat.sections.set('ipvs-list', { stdout: setRow(list, 'TCP  172.16.60.22:80', '192.168.60.99:80', 'Masq', 7) });
        return { stdout: '', stderr: 'Memory allocation problem\n', exitCode: 2, durationMs: 1 };
      }
      return edit(argv);
    };
    const ctx = testContext({ 'nat-director': nat });
    const result = await runAction(ctx, await planWeight(ctx, HOST_DRAIN), { confirmation: true });
    expect(result).toMatchObject({ outcome: 'error' });
    expect(result.message).toMatch(
      /^step 3 of 3 failed: nat-director: `.*-w 0` exited 2: Memory allocation problem; NOT every step before it could be set back:/,
    );
    expect(ctx.audit.lines[0]!.steps?.map((s) => s.result)).toEqual(['left as is', 'set back', 'not sent']);
    expect(weights(nat.sections.get('ipvs-list')!.stdout)).toEqual([7, 1, 1]);
  });

  it('all steps going through is an ordinary run: verified by reading back, every step recorded as sent', async () => {
    const nat = natDirector();
    const ctx = testContext({ 'nat-director': nat });
    const result = await runAction(ctx, await planWeight(ctx, HOST_DRAIN), { confirmation: true });
    expect(result.outcome).toBe('ok');
    expect(weights(nat.sections.get('ipvs-list')!.stdout)).toEqual([0, 0, 0]);
    expect(ctx.audit.lines[0]!.steps?.map((s) => s.result)).toEqual(['sent', 'sent', 'sent']);
  });
});
