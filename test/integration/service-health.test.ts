import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertLines } from '../../components/alert-lines.js';
import { STARVED_CPU_PRESSURE } from '../../collectors/rs-probe.js';
import { loadConfig } from '../../src/config/load-config.js';
import { parseExposition } from '../../src/metrics/exposition.js';
import { createFleetMetrics } from '../../src/metrics/fleet-metrics.js';
import { healthAlerts } from '../../src/model/health-alerts.js';
import { directorProbePlans } from '../../src/model/probe-plan.js';
import { directorHealth } from '../../src/model/rs-health.js';
import { createFleet, type Fleet } from '../../src/poller/fleet.js';
import { serviceRows } from '../../src/render/service-rows.js';
import { formatTableRow } from '../../src/render/table-model.js';
import type { LvsState } from '../../src/store/lvs-store.js';
import { eventually, LAB_CONFIG, labCommand, paced, runCli } from '../support/lab.js';

// Does the service work? The seeds' own pitfalls caused for real on the lab: a stopped httpd on the NAT cluster
// (no health checker: it stays weighted), on the DR cluster (keepalived's TCP_CHECK takes it out), and a tarpit.
// Every fault is repaired in a finally.

const INTERVAL = 2000;
const REAL1 = '192.168.60.99';
let fleet: Fleet;
const state = () => fleet.store.getState();
const cluster = (name: string) => state().clusters.find((c) => c.name === name)!;
const until = async <T>(check: (s: LvsState) => T | undefined | false, timeoutMs: number) =>
  eventually(async () => check(state()) || undefined, await paced(timeoutMs), 200);
const real1Down = (s: LvsState) =>
  healthAlerts(s, cluster('discuz'), Date.now()).find(
    (a) => a.kind === 'rs-down-in-rotation' && a.realServer === `${REAL1}:80` && a.service === 'TCP 172.16.60.22:80',
  );
const health = (director: string, address: string) =>
  directorHealth(state(), director, Date.now()).find(
    (h) => h.address === address && h.service.protocol === 'TCP' && h.port === 80,
  );

/** Why the snapshot holds no IPVS table for `host` (its state and parts), or undefined when it holds one. */
function snapNoTable(stdout: string, host: string): string | undefined {
  const json = JSON.parse(stdout) as {
    hosts: { name: string; state: string; error: unknown; parts: Record<string, unknown> }[];
    clusters: { directors: { host: string; services: unknown[] }[] }[];
  };
  const director = json.clusters.flatMap((c) => c.directors).find((d) => d.host === host);
  if (director && director.services.length > 0) return undefined;
  const h = json.hosts.find((x) => x.name === host);
  return `${h?.state ?? 'not listed'} ${JSON.stringify(h?.error)} ${JSON.stringify(h?.parts)}`;
}

beforeAll(async () => {
  fleet = createFleet(await loadConfig(LAB_CONFIG), { pollIntervalMs: INTERVAL });
  fleet.start();
  await until(
    () => health('nat-director', REAL1)?.verdict === 'up' && health('director1', '10.18.11.21')?.verdict === 'up',
    120_000,
  );
});
afterAll(async () => {
  await fleet?.stop();
});

describe('a dead real server, caused for real', () => {
  it('httpd stopped on real1 (no checker): down and still weighted, with the alert and its fix, in the console, snapshot and /metrics; clears on repair', async () => {
    const weightBefore = health('nat-director', REAL1)!.rs!.weight;
    await labCommand('fault', 'stop-httpd', 'real1');
    const stoppedAt = Date.now();
    try {
      const alert = await until(real1Down, 3 * INTERVAL + 10_000);
      const seen = Date.now() - stoppedAt;
      console.log(`service-health: real1 down and weighted seen ${seen} ms after the stop (interval ${INTERVAL} ms)`);
      expect(alert.fix).toBe(`ipvsadm -e -t 172.16.60.22:80 -r ${REAL1}:80 -m -w 0`);
      // The console's alert line, red, with the command.
      expect(alertLines(state(), Date.now()).find((l) => l.text.includes(`${REAL1}:80`))).toMatchObject({ loud: true });
      expect(health('nat-director', REAL1)!.rs!.weight).toBe(weightBefore);
      const spec = serviceRows(state(), 'discuz', Date.now());
      const row = spec.rows.find((r) => r.id === `nat-director|TCP 172.16.60.22:80|${REAL1}:80`)!;
      expect(formatTableRow(spec.columns, row)).toMatch(/DOWN/);
      expect(row.tone).toBe('critical');

      const metrics = createFleetMetrics(fleet.store);
      const samples = parseExposition(await metrics.registry.metrics());
      metrics.close();
      expect(
        samples.find(
          (s) =>
            s.name === 'lvstop_backend_up' &&
            s.labels.remote_address === REAL1 &&
            s.labels.proto === 'TCP' &&
            s.labels.local_port === '80',
        )?.value,
      ).toBe(0);

      // A one-shot snapshot makes one SSH handshake and one poll a host: on a starved lab it gets the time they then
      // take (the lab's config beside it, timeouts paced), and a run that still could not read the director's table
      // says nothing about the alert: it is tried again (three runs at most).
      const slowLink = resolve(dirname(LAB_CONFIG), 'lvstop-slow-link.json');
      const labJson = JSON.parse(readFileSync(LAB_CONFIG, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        slowLink,
        JSON.stringify({ ...labJson, connectTimeoutMs: await paced(10_000), commandTimeoutMs: await paced(20_000) }),
      );
      const snapshotMs = await paced(120_000);
      const snapshot = () => runCli(['-c', slowLink, 'snapshot', '--json'], snapshotMs);
      let snap = await snapshot();
      for (let i = 1; i < 3 && snapNoTable(snap.stdout, 'nat-director'); i++) {
        console.log(
          `service-health: no table from nat-director in the snapshot: ${snapNoTable(snap.stdout, 'nat-director')}`,
        );
        snap = await snapshot();
      }
      rmSync(slowLink, { force: true });
      const json = JSON.parse(snap.stdout) as {
        clusters: {
          name: string;
          healthAlerts: { kind: string; realServer?: string; fix?: string }[];
          directors: {
            host: string;
            services: { key: string; realServers: { address: string; health: { verdict: string } | null }[] }[];
          }[];
        }[];
      };
      const discuz = json.clusters.find((c) => c.name === 'discuz')!;
      if (!discuz.healthAlerts.some((a) => a.realServer === `${REAL1}:80`))
        console.log(
          `service-health: snapshot without the alert (exit ${snap.code}): ${snap.stderr}\n${JSON.stringify(discuz.directors[0]?.services[0])}`,
        );
      expect(discuz.healthAlerts.find((a) => a.realServer === `${REAL1}:80`)).toMatchObject({
        kind: 'rs-down-in-rotation',
      });
      const tcp80 = discuz.directors[0]!.services.find((s) => s.key === 'TCP 172.16.60.22:80')!;
      expect(tcp80.realServers.find((r) => r.address === REAL1)?.health?.verdict).toBe('down');
    } finally {
      await labCommand('fault', '--repair', 'stop-httpd', 'real1');
    }
    const repairedAt = Date.now();
    await until((s) => !real1Down(s) && health('nat-director', REAL1)?.verdict === 'up', 3 * INTERVAL + 10_000);
    console.log(`service-health: real1 up again ${Date.now() - repairedAt} ms after the repair`);
    expect(state().events.some((e) => e.kind === 'rs-down-in-rotation-begin')).toBe(true);
    expect(state().events.some((e) => e.kind === 'rs-down-in-rotation-end')).toBe(true);
  });

  it("httpd stopped on web1 (TCP_CHECK): keepalived's verdict and its removal are shown; nothing says missing", async () => {
    await labCommand('fault', 'stop-httpd', 'web1');
    try {
      const web1 = await until(() => {
        const h = health('director1', '10.18.11.21');
        return h && !h.rs && h.checker?.up === false ? h : undefined;
      }, 60_000);
      expect(web1.notes).toContain("removed by keepalived's checker (TCP_CHECK down)");
      const spec = serviceRows(state(), 'wordpress', Date.now());
      const lines = spec.rows.map((r) => formatTableRow(spec.columns, r));
      expect(lines.find((l) => l.includes('10.18.11.21'))).toMatch(/REMOVED/);
      expect(lines.join('\n')).not.toMatch(/missing/i);
      // Out of rotation already: keepalived did the drain, no page for it.
      expect(
        healthAlerts(state(), cluster('wordpress'), Date.now()).filter((a) => a.kind === 'rs-down-in-rotation'),
      ).toEqual([]);
    } finally {
      await labCommand('fault', '--repair', 'stop-httpd', 'web1');
    }
    await until(() => health('director1', '10.18.11.21')?.rs !== undefined, 60_000);
  });

  it('a tarpit (accepts, never answers) fails at the deadline; the IPVS part stays as fresh as before', async () => {
    await labCommand('fault', 'tarpit-httpd', 'real2');
    try {
      // Failed at the deadline; or, on a lab whose CPUs are saturated (its pressure past the threshold), not judged
      // with that reason: a probe out of time there says nothing about the server (the verdict is what the rounds
      // judged before: up, or down if rounds with CPU to spare had already failed it twice).
      const real2 = await until(() => {
        const h = health('nat-director', '192.168.60.40');
        return h?.probe?.detail.endsWith('no HTTP answer within 1000 ms') ? h : undefined;
      }, 30_000);
      console.log(`service-health: the tarpit probed: ${real2.probe!.detail} (${real2.verdict})`);
      if (real2.probe!.detail.startsWith('not judged')) {
        expect(real2.probe!.detail).toMatch(/^not judged: the director was short of CPU \(tasks waited (\d+)% /);
        expect(Number(/waited (\d+)%/.exec(real2.probe!.detail)![1])).toBeGreaterThanOrEqual(STARVED_CPU_PRESSURE);
      } else {
        expect(real2.probe).toMatchObject({ ok: false, detail: 'no HTTP answer within 1000 ms' });
        expect(real2.probe!.ms).toBeGreaterThanOrEqual(1000);
      }
      // The probe runs in its own exec: the director's IPVS reading keeps its pace.
      let worst = 0;
      const until10s = Date.now() + 10_000;
      while (Date.now() < until10s) {
        worst = Math.max(worst, Date.now() - state().ipvs['nat-director']!.readAt);
        await new Promise((r) => setTimeout(r, 200));
      }
      console.log(`service-health: nat-director IPVS worst age ${worst} ms with a tarpit probed`);
      expect(worst).toBeLessThan(await paced(3 * INTERVAL));
    } finally {
      await labCommand('fault', '--repair', 'tarpit-httpd', 'real2');
    }
  });

  it('probes go only to the real servers the tables and keepalived name, and change nothing', () => {
    const configured = new Set(state().clusters.flatMap((c) => c.realServers.map((r) => r.address)));
    const v6 = (a: string) => a.includes(':');
    for (const director of ['nat-director', 'director1', 'director2'])
      for (const { plan } of directorProbePlans(state(), director))
        if ('target' in plan && !v6(plan.target.address)) expect(configured).toContain(plan.target.address);
  });
});
