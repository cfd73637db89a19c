import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/action-fixtures.js';
import { planWeight } from '../../test/support/plan-actions.js';
import { DRAIN_REAL1, natDirector } from '../../test/support/scripted-nat.js';
import { fixture } from '../../test/support/action-fixtures.js';
import { parseClientMessage } from '../serve/client-message.js';
import { auditViewOf } from '../audit-view.js';
import { auditRows } from '../render/audit-rows.js';
import { MAX_REASON_CHARS, reasonProblem } from './reason.js';
import { runAction } from './run-action.js';
import { planUndoLast } from './undo.js';

describe('a reason for every change', () => {
  it('goes into the audit line, and the undo carries it unless given a new one', async () => {
    const ctx = testContext({ 'nat-director': natDirector() });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    expect((await runAction(ctx, plan, { confirmation: true, reason: ' real1 kernel update ' })).outcome).toBe('ok');
    expect(ctx.audit.lines[0]!.reason).toBe('real1 kernel update');
    expect(ctx.audit.lines[0]!.forced).toBeUndefined();

    const { plan: undo } = await planUndoLast(ctx);
    expect((await runAction(ctx, undo, { confirmation: true })).outcome).toBe('ok');
    expect(ctx.audit.lines[1]!.reason).toBe(
      `undo of weight ${ctx.audit.lines[0]!.target} at ${ctx.audit.lines[0]!.time}: real1 kernel update`,
    );
    const { plan: again } = await planUndoLast(ctx);
    await runAction(ctx, again, { confirmation: true, reason: 'back out the restore' });
    expect(ctx.audit.lines[2]!.reason).toBe('back out the restore');
  });

  it('with requireReason, refuses to run without one and sends nothing', async () => {
    const nat = natDirector();
    const ctx = testContext({ 'nat-director': nat }, { requireReason: true });
    const plan = await planWeight(ctx, DRAIN_REAL1);
    const refused = await runAction(ctx, plan, { confirmation: true, reason: '  ' });
    expect(refused).toMatchObject({ outcome: 'refused-guard', exitCode: 3 });
    expect(refused.message).toMatch(/a reason is required/);
    expect(nat.commands.filter((c) => c.includes('-e'))).toEqual([]);
    expect((await runAction(ctx, plan, { confirmation: true, reason: 'maintenance' })).outcome).toBe('ok');
  });

  it('marks a forced guard in the audit line, with the reason', async () => {
    const ctx = testContext({ 'nat-director': natDirector(fixture('rs-drained/nat-director/ipvsadm-Ln.txt')) });
    const plan = await planWeight(ctx, { ...DRAIN_REAL1, realServer: '192.168.60.40:80' });
    const confirmation = plan.guard!.confirmName;
    expect((await runAction(ctx, plan, { confirmation, forced: true, reason: 'real2 is down' })).outcome).toBe('ok');
    expect(ctx.audit.lines[0]).toMatchObject({ forced: true, reason: 'real2 is down' });
  });

  it('is one line, bounded, without control characters', () => {
    expect(reasonProblem(false, undefined)).toBeUndefined();
    expect(reasonProblem(true, '')).toMatch(/required/);
    expect(reasonProblem(false, 'a\nb')).toMatch(/control characters/);
    expect(reasonProblem(false, 'x'.repeat(MAX_REASON_CHARS + 1))).toMatch(/reason:/);
    expect(reasonProblem(true, 'ok')).toBeUndefined();
  });

  it('is schema-checked on an attached run message', () => {
    expect(parseClientMessage({ t: 'run', id: 1, confirmation: true, reason: 'why' })).toMatchObject({ ok: true });
    const bad = parseClientMessage({ t: 'run', id: 1, confirmation: true, reason: 'a\u001b[2Jb' });
    expect(bad).toMatchObject({ ok: false });
    expect(parseClientMessage({ t: 'run', id: 1, confirmation: true, reason: 'x'.repeat(500) })).toMatchObject({
      ok: false,
    });
  });

  it('shows in the Audit view, forced first', () => {
    const line = (extra: object) =>
      JSON.stringify({ time: '2026-11-21T18:00:00Z', result: 'ok', target: 't', message: 'm', ...extra });
    expect(auditViewOf(line({ reason: 'patching' }))?.reason).toBe('patching');
    expect(auditViewOf(line({ reason: 'real2 down', forced: true }))?.reason).toBe('forced: real2 down');
    const audit = [auditViewOf(line({ reason: 'patching' }))!];
    const spec = auditRows({ audit } as unknown as Parameters<typeof auditRows>[0]);
    expect(spec.columns.at(-1)!.title).toBe('REASON');
    expect(spec.rows[0]!.cells.at(-1)).toBe('patching');
  });
});
