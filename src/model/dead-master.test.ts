import { describe, expect, it } from 'vitest';
import { applyCaptures, DR_PAIR_CONFIG, storeFromCaptures } from '../../test/support/fixture-store.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { parseExposition } from '../metrics/exposition.js';
import type { LvsStore } from '../store/lvs-store.js';
import { doctorChecks } from './doctor.js';
import { clusterOverview } from './overview.js';
import { vrrpViewRows } from '../render/vrrp-rows.js';
import { vipHolders, vrrpAlerts, vrrpRows } from './vrrp.js';

/**
 * The MASTER dies (power loss): for a few polls it is only late, then down. Its last readings (MASTER, holding the
 * VIP, its IPVS table) are history from then on: no judgement, alert or metric may count them as the present while
 * the BACKUP takes the VIP. Every reading here is captured lab output (test/fixtures/*), fed through the poller's
 * own host plans.
 */
const NOW = Date.parse('2026-11-22T00:00:00Z');
const config = DR_PAIR_CONFIG;
const host = (dir: string, name: string) => ({
  keepalived: `${dir}/${name}/keepalived-json.txt`,
  'ip-addr': `${dir}/${name}/ip-j-addr.txt`,
  'ipvs-list': `${dir}/${name}/ipvsadm-Ln.txt`,
  'ipvs-stats': `${dir}/${name}/ipvsadm-Ln-stats.txt`,
});
// Before: director1 MASTER holding the VIP, director2 BACKUP. After: director2 MASTER holding the VIP.
const masterBefore = host('healthy', 'director1');
const peerBefore = host('healthy', 'director2');
const peerAfter = host('failover', 'director2');

async function scrape(store: LvsStore) {
  const metrics = createFleetMetrics(store);
  const samples = parseExposition(await metrics.registry.metrics());
  metrics.close();
  return (name: string) => samples.filter((s) => s.name === name);
}

function failover(): LvsStore {
  const store = storeFromCaptures(config, { director1: masterBefore, director2: peerBefore }, NOW);
  // director1 stops answering: its poll is late. director2 takes over and is read holding the VIP.
  store.getState().pollProgress('director1', { late: [{ id: 'host', pane: 'host' }] }, NOW + 2000);
  applyCaptures(store, config, { director2: peerAfter }, NOW + 3000);
  return store;
}

describe('a dead MASTER', () => {
  it('while its poll is only late, its old VIP is not a second holder: no split brain', async () => {
    const store = failover();
    const state = store.getState();
    const cluster = state.clusters[0]!;
    expect(state.hosts.director1!.status).toBe('slow');
    expect(vrrpAlerts(state, cluster)).toEqual([]);
    expect(vipHolders(state, cluster).get('10.18.11.40')).toEqual(['director2']);
    const m = await scrape(store);
    expect(m('lvstop_vip_holder').map((s) => s.labels.director)).toEqual(['director2']);
    // A host that answers late is reachable: not down, its lateness has its own series.
    expect(m('lvstop_host_up').map((s) => [s.labels.host, s.value])).toEqual([
      ['director1', 1],
      ['director2', 1],
    ]);
    expect(m('lvstop_host_late_parts').find((s) => s.labels.host === 'director1')?.value).toBe(1);
  });

  it('once down, its readings are last known: shown, never judged or exported as current', async () => {
    const store = failover();
    store.getState().hostDown('director1', { kind: 'timeout', message: 'poll timed out' }, NOW + 10_000);
    const state = store.getState();
    const cluster = state.clusters[0]!;
    expect(vrrpAlerts(state, cluster)).toEqual([]);
    const row = vrrpRows(state, cluster).find((r) => r.director === 'director1')!;
    expect(row).toMatchObject({ state: 'UNREACHABLE', holdsVips: [] });
    expect(row.lastKnown).toEqual({ state: 'MASTER', holdsVips: ['10.18.11.40'], readAt: NOW });
    const shown = vrrpViewRows(state, 'wordpress', NOW + 12_000).rows.find((r) => r.id.startsWith('director1'))!;
    expect(shown.cells).toContain('UNREACH');
    expect(shown.cells.at(-1)).toBe('last known MASTER with 10.18.11.40, 12s ago; poll timed out');
    // Its doctor checks rest on old readings: unknown, with what they said.
    const checks = doctorChecks(state, cluster).filter((c) => c.host === 'director1');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.pass === undefined)).toBe(true);
    const reasons = clusterOverview(state, cluster, NOW + 10_000).reasons;
    expect(reasons.filter((r) => r.includes('director1') || r.includes('SPLIT'))).toEqual(['director1 down (timeout)']);

    const m = await scrape(store);
    expect(m('lvstop_vip_holder').map((s) => s.labels.director)).toEqual(['director2']);
    expect(m('lvstop_vrrp_split_brain').map((s) => s.value)).toEqual([0]);
    expect(m('keepalived_up').map((s) => [s.labels.director, s.value])).toEqual([
      ['director1', 0],
      ['director2', 1],
    ]);
    expect(m('keepalived_vrrp_state').map((s) => s.labels.director)).toEqual(['director2']);
    expect(new Set(m('node_ipvs_backend_weight').map((s) => s.labels.director))).toEqual(new Set(['director2']));
    expect(m('lvstop_host_up').find((s) => s.labels.host === 'director1')?.value).toBe(0);
    expect(m('lvstop_read_errors_total')).toEqual([
      { name: 'lvstop_read_errors_total', labels: { cluster: 'wordpress', host: 'director1', part: 'host' }, value: 1 },
    ]);
  });

  it('a down host whose next poll only turns late stays down: waiting on a dead transport is not an answer', () => {
    const store = failover();
    store.getState().hostDown('director1', { kind: 'timeout', message: 'poll timed out' }, NOW + 10_000);
    store.getState().pollProgress('director1', { late: [{ id: 'ipvs', pane: 'ipvs' }] }, NOW + 12_000);
    expect(store.getState().hosts.director1).toMatchObject({ status: 'down', error: { kind: 'timeout' } });
    // Something that arrives is an answer.
    store.getState().pollProgress('director1', { read: [{ id: 'host', pane: 'host' }] }, NOW + 13_000);
    expect(store.getState().hosts.director1!.status).toBe('slow');
  });

  it('two directors that both answer and both hold the VIP, each read after the other took it, are split brain', () => {
    const store = failover();
    // director1 answers again, still holding the VIP (read after director2 was seen with it).
    applyCaptures(store, config, { director1: masterBefore }, NOW + 4000);
    const state = store.getState();
    const cluster = state.clusters[0]!;
    expect(vipHolders(state, cluster).get('10.18.11.40')).toEqual(['director1', 'director2']);
    expect(vrrpAlerts(state, cluster).map((a) => a.message)).toContain('VIP 10.18.11.40 is on director1 and director2');
  });

  it('data age runs on from the last good read: a failed read does not reset it', async () => {
    const store = failover();
    const okAt = store.getState().keepalived.director2!.okAt;
    store.getState().setKeepalived('director2', { status: 'timeout', message: 'dump timed out' }, NOW + 5000);
    expect(store.getState().keepalived.director2!.okAt).toBe(okAt);
    const m = await scrape(store);
    const age = m('lvstop_data_age_seconds').find(
      (s) => s.labels.host === 'director2' && s.labels.part === 'keepalived',
    );
    expect(age!.value).toBeGreaterThanOrEqual((Date.now() - okAt!) / 1000 - 1);
    expect(
      m('lvstop_read_errors_total').find((s) => s.labels.host === 'director2' && s.labels.part === 'keepalived')?.value,
    ).toBe(1);
  });
});
