import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/action-fixtures.js';
import { planWeight } from '../../test/support/plan-actions.js';
import { DRAIN_REAL1, natDirector } from '../../test/support/scripted-nat.js';
import type { IpvsService } from '../../collectors/ipvs-types.js';
import type { FloorRow } from '../model/healthy-floor.js';
import { probeFloorRows } from './probe-floor.js';
import { previewLines } from './preview-text.js';
import { runAction } from './run-action.js';
import { minHealthyOf } from './weight-floor.js';

const real1: FloorRow = { address: '192.168.60.99', port: 80, weight: 1, healthy: true, why: 'probe up 3ms' };
const real2: FloorRow = { address: '192.168.60.40', port: 80, weight: 1, healthy: false, why: 'probe down: refused' };

/** A context whose health verdicts for the NAT HTTP service are `rows`. */
function withHealth(rows: readonly FloorRow[]) {
  const ctx = testContext({ 'nat-director': natDirector() });
  return { ...ctx, floorRows: (_d: string, s: IpvsService) => (s.key === 'TCP 172.16.60.22:80' ? rows : undefined) };
}

describe('the floor of healthy servers', () => {
  it('guards draining the last healthy server like the last weighted one: the typed name', async () => {
    const ctx = withHealth([real1, real2]);
    const plan = await planWeight(ctx, DRAIN_REAL1);
    expect(plan.guard?.confirmName).toBe('192.168.60.99:80');
    expect(plan.guard?.reason).toMatch(
      /fewer healthy servers than the floor: nat-director TCP 172.16.60.22:80: 0 healthy/,
    );
    const text = previewLines(plan).join('\n');
    expect(text).toMatch(/192\.168\.60\.40:80 unhealthy \(probe down: refused\), weight 1 → 1/);
    expect(text).toMatch(/192\.168\.60\.99:80 healthy \(probe up 3ms\), weight 1 → 0/);
    expect(plan.preview.warnings.join('\n')).toMatch(/under half/);
    expect((await runAction(ctx, plan, { confirmation: true })).outcome).toBe('refused-guard');
    const forced = await runAction(ctx, plan, { confirmation: '192.168.60.99:80', forced: true, reason: 'real1 dies' });
    expect(forced.outcome).toBe('ok');
    expect(ctx.audit.lines.at(-1)).toMatchObject({ forced: true, reason: 'real1 dies' });
  });

  it('lets a drain through while another healthy server carries weight', async () => {
    const plan = await planWeight(withHealth([real1, { ...real2, healthy: true, why: 'probe up' }]), DRAIN_REAL1);
    expect(plan.guard).toBeUndefined();
    expect(plan.preview.health?.[0]).toMatch(/1 healthy weighted server after the change \(now 2\); the floor is 1/);
  });

  it('says when no verdicts are known, and guards nothing then', async () => {
    const plan = await planWeight(withHealth([]), DRAIN_REAL1);
    expect(plan.guard).toBeUndefined();
    expect(plan.preview.health).toEqual([
      'nat-director TCP 172.16.60.22:80: no health verdicts known; the floor of healthy servers is not checked',
    ]);
  });

  it('reads minHealthy from the cluster: a count or a percentage', () => {
    expect(minHealthyOf({})).toEqual({ count: 1 });
    expect(minHealthyOf({ minHealthy: 2 })).toEqual({ count: 2 });
    expect(minHealthyOf({ minHealthy: '50%' })).toEqual({ percent: 50 });
  });
});

describe('the floor where no probes run (headless)', () => {
  /** real2 (.40) refuses, real1 (.99) connects: the probe's own output for the two targets. */
  const probeOutput = '@ start\n0 start 1\n0 2 3 rs-probe: connect: Connection refused\n1 start 4\n1 0 6 \n';

  it('probes the service once from the director and guards on what it finds', async () => {
    const nat = natDirector();
    nat.onCommand = (argv) =>
      argv[0] === 'timeout' ? { stdout: probeOutput, stderr: '', exitCode: 0, durationMs: 7 } : undefined;
    const base = testContext({ 'nat-director': nat });
    const cluster = base.resolved.config.clusters[0]!;
    const ctx = { ...base, floorRows: (_d: string, s: IpvsService) => probeFloorRows(nat, cluster, s) };
    const plan = await planWeight(ctx, DRAIN_REAL1);
    expect(plan.guard?.reason).toMatch(/floor/);
    expect(plan.preview.health?.join('\n')).toMatch(
      /192\.168\.60\.40:80 unhealthy \(TCP connect :80: down connection refused \(probed once, 3 ms\)\)/,
    );
    const probe = nat.commands.find((c) => c[0] === 'timeout')!;
    expect(probe.slice(-2)).toEqual(['0|tcp|192.168.60.40|80|/|', '1|tcp|192.168.60.99|80|/|']);
  });

  it('calls every server unknown when the probe cannot run: nothing is guarded', async () => {
    const nat = natDirector();
    nat.onCommand = (argv) =>
      argv[0] === 'timeout' ? { stdout: '', stderr: 'bash: no', exitCode: 127, durationMs: 1 } : undefined;
    const base = testContext({ 'nat-director': nat });
    const rows = await probeFloorRows(nat, base.resolved.config.clusters[0]!, {
      key: 'TCP 172.16.60.22:80',
      protocol: 'TCP',
      address: '172.16.60.22',
      port: 80,
      scheduler: 'wlc',
      realServers: [
        { address: '192.168.60.99', port: 80, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 0 },
      ],
    } as unknown as IpvsService);
    expect(rows).toEqual([
      expect.objectContaining({ healthy: undefined, why: expect.stringMatching(/^probe failed: rs probe/) }),
    ]);
  });
});
