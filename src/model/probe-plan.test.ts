import { describe, expect, it } from 'vitest';
import { probeRoundCpuMs } from '../../collectors/rs-probe.js';
import type { SectionOutput } from '../../collectors/section.js';
import { SHELL_TIMES_SECTION } from '../../collectors/shell-times.js';
import { fixture } from '../../test/support/fixture-store.js';
import { costPart } from '../poller/poll-parts.js';
import { createLvsStore } from '../store/lvs-store.js';
import { FIRST_ROUND_PROBES, probeRoundSize } from './probe-plan.js';

// Real readings from the lab's nat-director (test/lab/capture-cost-fixtures.sh).
const output = (path: string): ReadonlyMap<string, SectionOutput> =>
  new Map([[SHELL_TIMES_SECTION.id, { id: SHELL_TIMES_SECTION.id, stdout: fixture(path), stderr: '', exitCode: 0 }]]);

describe('what a poll costs the director', () => {
  it("is the difference between two readings of the poll's shell, smoothed; a new shell counts from its start", () => {
    const store = createLvsStore({ clusters: [], hosts: ['nat-director'], pollIntervalMs: 2000, readOnly: true });
    const part = costPart('nat-director');
    const cpu = () => store.getState().hosts['nat-director']?.pollCpuMs;
    part.apply(output('cost/shell-times.sh.1.txt'), store.getState(), 0);
    const first = cpu();
    expect(first).toBeGreaterThan(0);
    part.apply(output('cost/shell-times.sh.2.txt'), store.getState(), 0);
    const second = cpu()!;
    part.apply(output('cost/shell-times.sh.3.txt'), store.getState(), 0);
    // Each later reading moves the average toward the cost of the `ipvsadm -Ln` between two readings.
    expect(second).not.toBe(first);
    expect(cpu()).toBeGreaterThan(0);
    // bash's shell is another pid: its reading is counted whole, not subtracted from dash's.
    part.apply(output('cost/shell-times.bash.1.txt'), store.getState(), 0);
    expect(cpu()).toBeGreaterThan(0);
    // Garbage changes nothing.
    const before = cpu();
    part.apply(
      new Map([[SHELL_TIMES_SECTION.id, { id: SHELL_TIMES_SECTION.id, stdout: 'abc', stderr: '', exitCode: 0 }]]),
      store.getState(),
      0,
    );
    expect(cpu()).toBe(before);
  });
});

describe('probe round size', () => {
  const settings = { maxPerRound: 64, costShare: 0.2 };
  it('before both costs are known: a small first round', () => {
    expect(probeRoundSize(64, settings, undefined, undefined)).toBe(FIRST_ROUND_PROBES);
    expect(probeRoundSize(2, settings, undefined, 3)).toBe(2);
  });

  it("keeps the captured round's cost per probe within a fifth of the poll", () => {
    const perProbe = probeRoundCpuMs(fixture('cost/nat-director.rs-probe.txt'))! / 4;
    // About what a whole nat-director poll costs it in the lab's guest (bench/results/poll-cost.json).
    const poll = 600;
    const n = probeRoundSize(64, settings, poll, perProbe);
    expect(n * perProbe).toBeLessThanOrEqual(0.2 * poll);
    expect((n + 1) * perProbe).toBeGreaterThan(0.2 * poll);
  });

  it('never fewer than one, never more than the targets or maxPerRound', () => {
    expect(probeRoundSize(64, settings, 1, 50)).toBe(1);
    expect(probeRoundSize(3, settings, 1000, 1)).toBe(3);
    expect(probeRoundSize(500, settings, 100_000, 1)).toBe(64);
    expect(probeRoundSize(0, settings, 100, 1)).toBe(0);
  });
});
