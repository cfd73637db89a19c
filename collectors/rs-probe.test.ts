import { describe, expect, it } from 'vitest';
import { fixture } from '../test/support/fixture-store.js';
import { parseRsProbe, probeTargetKey, roundKillMs, rsProbeArgv, type ProbeTarget } from './rs-probe.js';

// Real output of rsProbeArgv run over ssh on the lab (test/lab/capture-probe-fixtures.sh; see the README beside it).
const targets = (state: string, host: string) =>
  JSON.parse(fixture(`probes/${state}/${host}.targets.json`)) as ProbeTarget[];
const parsed = (state: string, host: string) => {
  const r = parseRsProbe(fixture(`probes/${state}/${host}.rs-probe.txt`), targets(state, host), 1000);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.map((o) => [o.ok, o.detail]);
};

describe('real-server probes on captured lab output', () => {
  it('healthy NAT cluster: both web servers answer HTTP 200; a closed port is refused; no route is not probed', () => {
    expect(parsed('healthy', 'nat-director')).toEqual([
      [true, 'HTTP 200'],
      [true, 'HTTP 200'],
      [false, 'connection refused'],
      [undefined, 'not probed: no route'],
    ]);
  });

  it('httpd stopped on real1 is refused; the tarpit on real2 accepts and fails at the deadline', () => {
    const out = parsed('httpd-stopped', 'nat-director');
    expect(out[0]).toEqual([false, 'connection refused']);
    expect(out[1]).toEqual([false, 'no HTTP answer within 1000 ms']);
    const ms = parseRsProbe(
      fixture('probes/httpd-stopped/nat-director.rs-probe.txt'),
      targets('httpd-stopped', 'nat-director'),
      1000,
    );
    expect(ms.ok && ms.value[1]!.ms).toBeGreaterThanOrEqual(1000);
  });

  it('on a director short of CPU a probe out of time is not judged; a refused connect still is', () => {
    // The same faults as httpd-stopped, with busy loops saturating the lab: the round reports the CPU pressure.
    expect(fixture('probes/cpu-starved/nat-director.rs-probe.txt')).toMatch(/^@ start\n@ cpu-pressure \d+\.\d+\n/);
    expect(parsed('cpu-starved', 'nat-director')).toEqual([
      [false, 'connection refused'],
      [
        undefined,
        expect.stringMatching(
          /^not judged: the director was short of CPU \(tasks waited \d+% of the last 10 s\): no HTTP answer within 1000 ms$/,
        ),
      ],
      [false, 'connection refused'],
      [undefined, 'not probed: no route'],
    ]);
  });

  it('DR cluster: TCP_CHECK mirror refused on web1, HTTP_GET mirror 200 on web2', () => {
    expect(parsed('httpd-stopped', 'director1')).toEqual([
      [false, 'connection refused'],
      [true, 'HTTP 200'],
    ]);
  });
});

describe('a round cut short', () => {
  const two: ProbeTarget[] = [
    { kind: 'tcp', address: '10.0.0.1', port: 80 },
    { kind: 'tcp', address: '10.0.0.2', port: 80 },
  ];
  it('a probe that started and never ended hung: failed at the deadline; one never started is not judged', () => {
    const r = parseRsProbe('@ start\n0 start 5\n', two, 1000);
    expect(r.ok && r.value.map((o) => o.ok)).toEqual([false, undefined]);
  });
  it('a probe started too late to have had its deadline before the round was killed is not judged', () => {
    const r = parseRsProbe(`@ start\n0 start ${roundKillMs(1000) - 500}\n`, two, 1000);
    expect(r.ok && r.value[0]!.ok).toBeUndefined();
  });
  it("a watched probe given up at its deadline failed there; the shell's job message is not taken as a result", () => {
    const out =
      '@ start\n0 start 17\nrs-probe: line 23: 13132 Killed   timeout -s KILL "$d" bash -c …\n0 5 1000\n1 start 1078\n1 0 4 \n';
    const r = parseRsProbe(out, two, 1000);
    expect(r.ok && r.value.map((o) => [o.ok, o.detail])).toEqual([
      [false, 'no answer within 1000 ms'],
      [true, 'connected'],
    ]);
  });
  it('output that is not the probe script is a parse error, never a verdict', () => {
    expect(parseRsProbe('bash: not found\n', two, 1000).ok).toBe(false);
    expect(parseRsProbe('@ start\n7 0 3 connected\n', two, 1000).ok).toBe(false);
  });
});

describe('the round command', () => {
  it('is killed at twice the deadline plus a second, and names each target by index', () => {
    const argv = rsProbeArgv([{ kind: 'http', address: '::1', port: 8080, path: '/health' }], 1000);
    expect(argv.slice(0, 5)).toEqual(['timeout', '-s', 'KILL', '3', 'bash']);
    expect(argv.at(-1)).toBe('0|http|::1|8080|/health|');
    expect(rsProbeArgv([{ kind: 'tcp', address: '10.0.0.1', port: 80 }], 1000, new Set([0])).at(-1)).toBe(
      '0|tcp|10.0.0.1|80|/|w',
    );
    expect(probeTargetKey({ kind: 'http', address: '::1', port: 8080, path: '/health' })).toBe(
      'http [::1]:8080/health',
    );
  });
});
