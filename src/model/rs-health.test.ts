import { describe, expect, it, vi } from 'vitest';
import { parseRsProbe, type ProbeTarget } from '../../collectors/rs-probe.js';
import { applyCaptures, configOf, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { serviceRows } from '../render/service-rows.js';
import { realServerHealthLines } from '../render/health-lines.js';
import { formatTableRow } from '../render/table-model.js';
import type { LvsStore } from '../store/lvs-store.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { parseExposition } from '../metrics/exposition.js';
import { healthAlerts } from './health-alerts.js';
import { directorProbePlans } from './probe-plan.js';
import { directorHealth } from './rs-health.js';

/**
 * The seeds' pitfalls on captured lab output (test/fixtures/probes, test/lab/capture-probe-fixtures.sh): httpd stopped
 * on real1 of the NAT cluster, which has no health checker (it keeps its weight: every other request fails), and on
 * web1 of the DR cluster, whose keepalived TCP_CHECK takes it out of the table; a tarpit on real2.
 */
const NOW = Date.parse('2026-12-02T01:20:00Z');
const config = configOf({
  pollIntervalMs: 2000,
  hosts: { 'nat-director': {}, director1: {} },
  clusters: [
    {
      name: 'discuz',
      mode: 'nat',
      directors: [{ host: 'nat-director' }],
      healthProbes: { default: { kind: 'http', path: '/' } },
    },
    { name: 'wordpress', mode: 'dr', directors: [{ host: 'director1', keepalived: { instances: ['VI_WEB'] } }] },
  ],
});
const keepalived = (state: string) => ({
  stdout: [
    fixture('healthy/director1/keepalived-json.txt'),
    '@@keepalived-data',
    fixture('healthy/director1/keepalived-data.txt'),
    '@@keepalived-check',
    fixture(`probes/${state}/director1.keepalived_check.data`),
  ].join('\n'),
  stderr: '',
  exitCode: 0,
});

/** The store after the captured table and checker dump, and `rounds` rounds of the captured probe output. */
function store(state: string, rounds: number): LvsStore {
  const s = storeFromCaptures(
    config,
    {
      'nat-director': { 'ipvs-list': `probes/${state}/nat-director.ipvsadm-Ln.txt` },
      director1: { 'ipvs-list': `probes/${state}/director1.ipvsadm-Ln.txt`, keepalived: keepalived(state) },
    },
    NOW,
  );
  for (const host of ['nat-director', 'director1'])
    for (let i = 0; i < rounds; i++) probeRound(s, state, host, NOW + i * 2000);
  return s;
}

/** The captured probe round of `host` in `state`, landed in the store as taken at `at`. */
function probeRound(s: LvsStore, state: string, host: string, at: number): void {
  const targets = JSON.parse(fixture(`probes/${state}/${host}.targets.json`)) as ProbeTarget[];
  const parsed = parseRsProbe(fixture(`probes/${state}/${host}.rs-probe.txt`), targets, 1000);
  if (!parsed.ok) throw new Error(parsed.error.message);
  s.getState().setRsProbes(
    host,
    targets.map((target, j) => ({ target, outcome: parsed.value[j]! })),
    at,
  );
}
const clusterOf = (s: LvsStore, name: string) => s.getState().clusters.find((c) => c.name === name)!;

describe('real-server health on captured lab output', () => {
  it('probes the NAT cluster by HTTP (config), the DR cluster the way its keepalived checkers do', () => {
    const s = store('healthy', 1).getState();
    const how = (host: string) =>
      directorProbePlans(s, host).map(
        (p) => `${p.service.key} ${p.rs.address}: ${'how' in p.plan ? p.plan.how : p.plan.notProbed}`,
      );
    expect(how('director1')).toEqual([
      'TCP 10.18.11.40:80 10.18.11.21: TCP connect :80 (keepalived TCP_CHECK)',
      'TCP 10.18.11.40:80 10.18.11.22: HTTP GET / :80 (keepalived HTTP_GET)',
    ]);
    expect(how('nat-director').slice(0, 3)).toEqual([
      'TCP 172.16.60.22:80 192.168.60.40: HTTP GET / :80',
      'TCP 172.16.60.22:80 192.168.60.99: HTTP GET / :80',
      'UDP 172.16.60.22:53 192.168.60.40: not probed: UDP service without a checker',
    ]);
  });

  it('healthy: no alert, every probed server up', () => {
    const s = store('healthy', 2);
    for (const c of ['discuz', 'wordpress'])
      expect(healthAlerts(s.getState(), clusterOf(s, c), NOW + 2000)).toEqual([]);
    const tcp80 = directorHealth(s.getState(), 'nat-director', NOW + 2000).filter(
      (h) => h.service.key === 'TCP 172.16.60.22:80',
    );
    expect(tcp80.map((h) => [h.address, h.verdict, h.healthy])).toEqual([
      ['192.168.60.40', 'up', true],
      ['192.168.60.99', 'up', true],
    ]);
  });

  it('httpd stopped on real1 (no checker): one failed probe is not down yet; two are, with the alert and its fix', () => {
    const once = store('httpd-stopped', 1);
    expect(
      healthAlerts(once.getState(), clusterOf(once, 'discuz'), NOW).filter((a) => a.realServer === '192.168.60.99:80'),
    ).toEqual([]);
    const s = store('httpd-stopped', 2);
    const alerts = healthAlerts(s.getState(), clusterOf(s, 'discuz'), NOW + 2000);
    const real1 = alerts.filter((a) => a.realServer === '192.168.60.99:80');
    // FWM 1 sends to 192.168.60.99:80 too, but a fwmark service without a checker is not probed: no verdict there.
    expect(real1.map((a) => [a.kind, a.service])).toEqual([['rs-down-in-rotation', 'TCP 172.16.60.22:80']]);
    expect(real1[0]!.message).toBe(
      '192.168.60.99:80 of TCP 172.16.60.22:80 on nat-director is down (connection refused, 2 probes in a row) and still has weight 1: drain it.',
    );
    expect(real1[0]!.fix).toBe('ipvsadm -e -t 172.16.60.22:80 -r 192.168.60.99:80 -m -w 0');
    // real2 is a tarpit: it accepts and never answers, so it is down too, and the service has no healthy server.
    expect(alerts.find((a) => a.kind === 'no-healthy-server' && a.service === 'TCP 172.16.60.22:80')?.message).toBe(
      'TCP 172.16.60.22:80 on nat-director has no healthy weighted real server (192.168.60.40:80 down, 192.168.60.99:80 down)',
    );
    const row = serviceRows(s.getState(), 'discuz', NOW + 2000).rows.find(
      (r) => r.id === 'nat-director|TCP 172.16.60.22:80|192.168.60.99:80',
    )!;
    expect(formatTableRow(serviceRows(s.getState(), 'discuz', NOW + 2000).columns, row)).toContain('DOWN');
    expect(row.tone).toBe('critical');
  });

  it('a director short of CPU: a probe out of time is not judged; its verdict keeps its age and goes unknown', () => {
    const s = store('healthy', 2);
    const starvedRound = (at: number) => probeRound(s, 'cpu-starved', 'nat-director', at);
    const real2 = (now: number) =>
      directorHealth(s.getState(), 'nat-director', now).find(
        (h) => h.address === '192.168.60.40' && h.service.key === 'TCP 172.16.60.22:80',
      )!;
    starvedRound(NOW + 4000);
    starvedRound(NOW + 6000);
    // real1's httpd refused twice: a refusal is judged whatever the CPU, so it pages.
    expect(
      healthAlerts(s.getState(), clusterOf(s, 'discuz'), NOW + 6000).map((a) => [a.kind, a.realServer]),
    ).toContainEqual(['rs-down-in-rotation', '192.168.60.99:80']);
    // The tarpit on real2 timed out on a starved director: still the verdict of the last judged probe, as old as it.
    expect(real2(NOW + 6000)).toMatchObject({ verdict: 'up', probe: { at: NOW + 2000, failures: 0 } });
    expect(real2(NOW + 6000).probe!.detail).toMatch(/^not judged: the director was short of CPU \(tasks waited 87% /);
    expect(
      healthAlerts(s.getState(), clusterOf(s, 'discuz'), NOW + 6000).filter((a) => a.realServer === '192.168.60.40:80'),
    ).toEqual([]);
    // Starved for longer than a probe stays good for (at least a minute): unknown, never down.
    starvedRound(NOW + 90_000);
    expect(real2(NOW + 90_000).verdict).toBe('unknown');
  });

  it('/metrics: the backend down with node_exporter labels, the judgement, and the checker where there is one', async () => {
    const s = store('httpd-stopped', 2);
    const metrics = createFleetMetrics(s);
    // /metrics judges at scrape time: scrape as if a second after the last round.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW + 3000);
    const samples = parseExposition(await metrics.registry.metrics()).filter(
      (x) => !x.name.startsWith('process_') && !x.name.startsWith('nodejs_'),
    );
    vi.useRealTimers();
    metrics.close();
    const named = (n: string) => samples.filter((x) => x.name === n);
    expect(
      named('lvstop_backend_up').filter((x) => x.labels.director === 'nat-director' && x.labels.proto === 'TCP'),
    ).toEqual([
      expect.objectContaining({
        labels: expect.objectContaining({
          local_address: '172.16.60.22',
          local_port: '80',
          remote_address: '192.168.60.40',
          remote_port: '80',
          local_mark: '',
        }),
        value: 0,
      }),
      expect.objectContaining({ labels: expect.objectContaining({ remote_address: '192.168.60.99' }), value: 0 }),
    ]);
    expect(
      named('lvstop_health_alert')
        .map((x) => `${x.labels.kind} ${x.labels.service} ${x.labels.real_server}`)
        .sort(),
    ).toEqual([
      'no-healthy-server TCP 172.16.60.22:80 ',
      'rs-down-in-rotation TCP 172.16.60.22:80 192.168.60.40:80',
      'rs-down-in-rotation TCP 172.16.60.22:80 192.168.60.99:80',
    ]);
    expect(named('lvstop_checker_up').map((x) => [x.labels.remote_address, x.value])).toEqual([
      ['10.18.11.22', 1],
      ['10.18.11.21', 0],
    ]);
  });

  it('the real server detail tells the whole story: probe, run, checker and what keepalived did', () => {
    const s = store('httpd-stopped', 2);
    const at = NOW + 3000;
    // The probe's milliseconds are as captured: matched, not fixed.
    expect(realServerHealthLines(s.getState(), '192.168.60.99', at).map((l) => l.text)[0]).toMatch(
      /^ {2}nat-director TCP 172\.16\.60\.22:80 :80: DOWN: connection refused \(HTTP GET \/ :80, \d+ ms\), 2 in a row since 01:20:00; probed 1s ago$/,
    );
    const web1 = realServerHealthLines(s.getState(), '10.18.11.21', at).map((l) => l.text);
    expect(web1[0]).toMatch(
      /^ {2}director1 TCP 10\.18\.11\.40:80 :80: DOWN: connection refused \(TCP connect :80 \(keepalived TCP_CHECK\), \d+ ms\), 2 in a row since 01:20:00; probed 1s ago$/,
    );
    expect(web1.slice(1)).toEqual([
      '    keepalived TCP_CHECK down (1 failed checker), weight 100 in keepalived.conf, 100 set',
      "    removed by keepalived's checker (TCP_CHECK down)",
    ]);
  });

  it("httpd stopped on web1 (TCP_CHECK): keepalived's removal is shown as such, never as a missing server", () => {
    const s = store('httpd-stopped', 2);
    const web1 = directorHealth(s.getState(), 'director1', NOW + 2000).find((h) => h.address === '10.18.11.21')!;
    expect(web1.rs).toBeUndefined();
    expect(web1.notes).toEqual(["removed by keepalived's checker (TCP_CHECK down)"]);
    expect(web1.healthy).toBe(false);
    // Out of the table, so not in rotation: no down-in-rotation page for it.
    expect(healthAlerts(s.getState(), clusterOf(s, 'wordpress'), NOW + 2000)).toEqual([]);
    const spec = serviceRows(s.getState(), 'wordpress', NOW + 2000);
    const lines = spec.rows.map((r) => formatTableRow(spec.columns, r));
    expect(lines.find((l) => l.includes('10.18.11.21'))).toMatch(/^ -x 10\.18\.11\.21:80 .* REMOVED/);
    expect(lines.join('\n')).not.toMatch(/missing/i);
  });

  it("web1's probe fails while keepalived's checker still says up: a warning until readings taken after the checker's time show the server still in, then the page", () => {
    // The healthy table and checker dump (web1 weighted, TCP_CHECK up), then the probes captured with httpd stopped.
    const s = store('healthy', 0);
    const targets = JSON.parse(fixture('probes/httpd-stopped/director1.targets.json')) as ProbeTarget[];
    const parsed = parseRsProbe(fixture('probes/httpd-stopped/director1.rs-probe.txt'), targets, 1000);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const round = (at: number) =>
      s.getState().setRsProbes(
        'director1',
        targets.map((target, j) => ({ target, outcome: parsed.value[j]! })),
        at,
      );
    const kinds = (at: number) =>
      healthAlerts(s.getState(), clusterOf(s, 'wordpress'), at)
        .filter((a) => a.realServer === '10.18.11.21:80')
        .map((a) => `${a.kind} ${a.severity}`);
    for (let at = NOW; at <= NOW + 10_000; at += 2000) round(at);
    // The lab's TCP_CHECK: 3 retries, connect_timeout 3 (4 tries of 3 s + 1 s), and its delay_loop: not yet.
    expect(kinds(NOW + 10_000)).toEqual(['probe-checker-disagree warn']);
    for (let at = NOW + 12_000; at <= NOW + 30_000; at += 2000) round(at);
    // The weight and the checker's verdict were read at NOW, before the checker's time was up: they cannot say
    // whether keepalived acted since (a starved director's table and checker dump come late).
    expect(kinds(NOW + 30_000)).toEqual(['probe-checker-disagree warn']);
    // A fresh table, but keepalived's verdict only from JSON-only polls (the checker view of NOW carried): not yet.
    const reread = (sections: Record<string, string | ReturnType<typeof keepalived>>, at: number) =>
      applyCaptures(
        s,
        config,
        { director1: { 'ipvs-list': 'probes/healthy/director1.ipvsadm-Ln.txt', ...sections } },
        at,
      );
    const jsonOnly = { stdout: fixture('healthy/director1/keepalived-json.txt'), stderr: '', exitCode: 0 };
    reread({ keepalived: jsonOnly }, NOW + 30_000);
    expect(s.getState().keepalived.director1!.checkersAt).toBe(NOW);
    expect(kinds(NOW + 30_000)).toEqual(['probe-checker-disagree warn']);
    // The table and the checker view both read after it: keepalived has had its time and left the server in.
    reread({ keepalived: keepalived('healthy') }, NOW + 30_000);
    expect(s.getState().keepalived.director1!.checkersAt).toBe(NOW + 30_000);
    expect(kinds(NOW + 30_000)).toEqual(['rs-down-in-rotation critical', 'probe-checker-disagree warn']);
  });

  it('a probe from a director that is down says nothing: unknown, never down', () => {
    const s = store('httpd-stopped', 2);
    s.getState().hostDown('nat-director', { kind: 'timeout', message: 'poll timed out' }, NOW + 3000);
    expect(healthAlerts(s.getState(), clusterOf(s, 'discuz'), NOW + 3000)).toEqual([]);
  });

  it('a probe older than a full turn of the table says nothing either', () => {
    const s = store('httpd-stopped', 2);
    expect(healthAlerts(s.getState(), clusterOf(s, 'discuz'), NOW + 120_000)).toEqual([]);
  });
});
