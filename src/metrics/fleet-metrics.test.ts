import { describe, expect, it } from 'vitest';
import { configOf, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { createFleetMetrics } from './fleet-metrics.js';
import { parseExposition, type ExpositionSample } from './exposition.js';

const NOW = Date.parse('2026-11-22T00:00:00Z');
const config = configOf({
  hosts: { 'nat-director': {}, director1: {}, director2: {}, real1: {} },
  clusters: [
    { name: 'discuz', mode: 'nat', vips: ['172.16.60.22'], directors: [{ host: 'nat-director' }] },
    {
      name: 'wordpress',
      mode: 'dr',
      directors: [
        { host: 'director1', keepalived: { instances: ['VI_WEB'] } },
        { host: 'director2', keepalived: { instances: ['VI_WEB'] } },
      ],
    },
  ],
});

/**
 * What node_exporter's ipvs collector reports for a /proc/net/ip_vs text (procfs's parser): services are TCP, UDP
 * or FWM lines in hex; FWM keeps its hex mark as printed, with no address and port 0.
 */
function nodeExporterBackends(text: string): Map<string, number> {
  const hexIp = (h: string) => (h.match(/../g) ?? []).map((b) => parseInt(b, 16)).join('.');
  const out = new Map<string, number>();
  let svc: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'TCP' || f[0] === 'UDP') {
      const [ip = '', port = ''] = f[1]!.split(':');
      svc = { local_address: hexIp(ip), local_port: String(parseInt(port, 16)), proto: f[0], local_mark: '' };
    } else if (f[0] === 'FWM') svc = { local_address: '', local_port: '0', proto: 'FWM', local_mark: f[1]! };
    else if (f[0] === '->' && f[1] !== 'RemoteAddress:Port' && f.length >= 6) {
      const [ip = '', port = ''] = f[1]!.split(':');
      const key = labelKey({ ...svc, remote_address: hexIp(ip), remote_port: String(parseInt(port, 16)) });
      out.set(key, (out.get(key) ?? 0) + Number(f[3]));
    }
  }
  return out;
}
const BACKEND = ['local_address', 'local_port', 'remote_address', 'remote_port', 'proto', 'local_mark'];
const labelKey = (l: Record<string, string>) => BACKEND.map((k) => `${k}=${l[k]}`).join(',');
const named = (samples: readonly ExpositionSample[], name: string) => samples.filter((s) => s.name === name);

async function scrape(captures: Parameters<typeof storeFromCaptures>[1]) {
  const store = storeFromCaptures(config, captures, NOW);
  const metrics = createFleetMetrics(store);
  const text = await metrics.registry.metrics();
  metrics.close();
  return { text, samples: parseExposition(text) };
}

describe('fleet metrics on captured output', () => {
  const nat = {
    'ipvs-list': 'healthy/nat-director/ipvsadm-Ln.txt',
    'ipvs-stats': 'healthy/nat-director/ipvsadm-Ln-stats.txt',
    'ipvs-proc-stats': 'healthy/nat-director/proc-net-ip_vs_stats.txt',
  };

  it("gives node_exporter's IPVS backend series, labels and values for the same director", async () => {
    const { samples } = await scrape({ 'nat-director': nat });
    const want = nodeExporterBackends(fixture('healthy/nat-director/proc-net-ip_vs.txt'));
    const weights = named(samples, 'node_ipvs_backend_weight');
    expect(weights.every((s) => s.labels.cluster === 'discuz' && s.labels.director === 'nat-director')).toBe(true);
    expect(new Map(weights.map((s) => [labelKey(s.labels), s.value]))).toEqual(want);
    expect(named(samples, 'node_ipvs_backend_connections_inactive').map((s) => s.value)).toEqual([
      70, 0, 35, 35, 70, 0,
    ]);
    // /proc/net/ip_vs_stats: D2 connections, 3CB incoming packets.
    expect(named(samples, 'node_ipvs_connections_total')).toEqual([
      { name: 'node_ipvs_connections_total', labels: { cluster: 'discuz', director: 'nat-director' }, value: 0xd2 },
    ]);
    expect(named(samples, 'node_ipvs_incoming_packets_total')[0]?.value).toBe(0x3cb);
    expect(named(samples, 'lvstop_ipvs_service_connections_total').length).toBe(3);
  });

  it('types counters as counters and gauges as gauges', async () => {
    const { text } = await scrape({ 'nat-director': nat });
    expect(text).toContain('# TYPE node_ipvs_connections_total counter');
    expect(text).toContain('# TYPE node_ipvs_backend_weight gauge');
    expect(text).toContain('# TYPE lvstop_poll_duration_seconds histogram');
  });

  it('keepalived state per VIP, and split brain for VRID 51 when both directors are MASTER', async () => {
    const ka = (name: string) => ({ keepalived: `keepalived-netns/${name}.dump.txt` });
    const healthy = await scrape({ director1: ka('healthy-master'), director2: ka('fault') });
    const states = named(healthy.samples, 'keepalived_vrrp_state');
    expect(states.map((s) => [s.labels.director, s.labels.iname, s.labels.vrid, s.value])).toEqual([
      ['director1', 'VI_WEB', '51', 2],
      ['director2', 'VI_WEB', '51', 3],
    ]);
    expect(named(healthy.samples, 'keepalived_up').map((s) => s.value)).toEqual([1, 1]);
    expect(named(healthy.samples, 'lvstop_vrrp_split_brain')).toEqual([
      { name: 'lvstop_vrrp_split_brain', labels: { cluster: 'wordpress', vrid: '51' }, value: 0 },
    ]);
    const split = await scrape({ director1: ka('healthy-master'), director2: ka('prio-minus20') });
    expect(named(split.samples, 'lvstop_vrrp_split_brain')[0]?.value).toBe(1);
    expect(named(split.samples, 'lvstop_vrrp_no_master')[0]?.value).toBe(0);
  });

  it('host up and data age per host and part', async () => {
    const { samples } = await scrape({ 'nat-director': nat });
    expect(named(samples, 'lvstop_host_up')).toEqual([
      { name: 'lvstop_host_up', labels: { cluster: 'discuz', host: 'nat-director' }, value: 1 },
    ]);
    const ages = named(samples, 'lvstop_data_age_seconds').filter((s) => s.labels.part === 'ipvs');
    expect(ages).toHaveLength(1);
    expect(ages[0]!.value).toBeGreaterThan(0);
  });
});
