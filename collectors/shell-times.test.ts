import { describe, expect, it } from 'vitest';
import { fixture } from '../test/support/fixture-store.js';
import { parseRsProbe, probeRoundCpuMs, type ProbeTarget } from './rs-probe.js';
import { parseShellTimes } from './shell-times.js';

// Real output from the lab's nat-director (test/lab/capture-cost-fixtures.sh): the poll's closing section run three
// times in one long-lived dash and one bash, `ipvsadm -Ln` between; and one probe round ending with its `times`.
const times = (shell: string, i: number) => {
  const r = parseShellTimes(fixture(`cost/shell-times.${shell}.${i}.txt`));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('shell times', () => {
  for (const shell of ['sh', 'bash'])
    it(`${shell}: one shell's pid throughout, its CPU only growing`, () => {
      const [a, b, c] = [1, 2, 3].map((i) => times(shell, i));
      expect(a!.pid).toBeGreaterThan(1);
      expect(new Set([a!.pid, b!.pid, c!.pid]).size).toBe(1);
      expect(b!.cpuMs).toBeGreaterThanOrEqual(a!.cpuMs);
      expect(c!.cpuMs).toBeGreaterThan(a!.cpuMs);
    });

  it('turns garbage into an error, never a number', () => {
    for (const text of [
      '',
      'abc\n0m0.01s 0m0.02s\n0m0s 0m0s',
      '123\n0m0.01s 0m0.02s',
      '123\n0m0.01s\n0m0.01s',
      '123\n1 2\n3 4',
    ])
      expect(parseShellTimes(text).ok, JSON.stringify(text)).toBe(false);
  });

  it("a probe round's closing times is its cost, and the probes before it parse as before", () => {
    const text = fixture('cost/nat-director.rs-probe.txt');
    const targets = JSON.parse(fixture('cost/nat-director.targets.json')) as ProbeTarget[];
    const cpu = probeRoundCpuMs(text);
    expect(cpu).toBeGreaterThan(0);
    const r = parseRsProbe(text, targets, 1000);
    expect(r.ok && r.value.map((o) => o.ok)).toEqual([true, true, true, true]);
    // A round cut short before its end says nothing about its cost.
    expect(probeRoundCpuMs(text.slice(0, text.indexOf('@ times')))).toBeUndefined();
  });
});
