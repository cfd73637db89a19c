import { describe, expect, it } from 'vitest';
import { configOf, storeFromCaptures } from '../../test/support/fixture-store.js';
import { diffEvents } from './events.js';
import { vrrpAlerts, vrrpRows } from './vrrp.js';

// After the fixtures were captured: each director's reading is newer than the other's last transition.
const NOW = Date.parse('2026-11-22T00:00:00Z');
const config = configOf({
  hosts: { director1: {}, director2: {} },
  clusters: [
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
const ka = (name: string) => ({ keepalived: `keepalived-netns/${name}.dump.txt` });

describe('VRRP judgements on captured dumps', () => {
  it('one MASTER and one FAULT peer: no split brain, but the FAULT is visible', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master'), director2: ka('fault') }, NOW);
    const state = store.getState();
    const cluster = state.clusters[0]!;
    expect(vrrpRows(state, cluster).map((r) => [r.director, r.state])).toEqual([
      ['director1', 'MASTER'],
      ['director2', 'FAULT'],
    ]);
    expect(vrrpAlerts(state, cluster)).toEqual([]);
  });

  it('two MASTERs for VRID 51 is split brain', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master'), director2: ka('prio-minus20') }, NOW);
    const state = store.getState();
    expect(vrrpAlerts(state, state.clusters[0]!)).toEqual([
      { kind: 'split-brain', cluster: 'wordpress', message: 'VRID 51: MASTER on director1 and director2' },
    ]);
  });

  it('a MASTER read before its peer took over is not split brain', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master'), director2: ka('prio-minus20') }, NOW);
    const readEarly = store.getState().keepalived.director1!;
    const peer = store.getState().keepalived.director2!.reading;
    const peerBecameMaster = peer.status === 'ok' ? peer.instances[0]!.lastTransition! : 0;
    store.getState().setKeepalived('director1', readEarly.reading, peerBecameMaster * 1000 - 5000);
    const state = store.getState();
    expect(vrrpAlerts(state, state.clusters[0]!)).toEqual([]);
  });

  it('no "no master" alert while a director has not answered yet', () => {
    const store = storeFromCaptures(config, { director2: ka('fault') }, NOW);
    const state = store.getState();
    expect(vrrpAlerts(state, state.clusters[0]!)).toEqual([]);
  });

  it('keepalived stopped everywhere is "no master"', () => {
    const stopped = {
      keepalived: { stdout: '', stderr: 'keepalived is not running: no pid file /run/keepalived.pid', exitCode: 3 },
    };
    const store = storeFromCaptures(config, { director1: stopped, director2: stopped }, NOW);
    const state = store.getState();
    expect(vrrpAlerts(state, state.clusters[0]!)).toMatchObject([{ kind: 'no-master' }]);
  });
});

describe('events', () => {
  it('derives VRRP transitions and split brain begin/end from successive states', () => {
    const before = storeFromCaptures(
      config,
      { director1: ka('healthy-master'), director2: ka('fault') },
      NOW,
    ).getState();
    const during = storeFromCaptures(
      config,
      { director1: ka('healthy-master'), director2: ka('prio-minus20') },
      NOW,
    ).getState();
    const events = diffEvents(before, during, NOW);
    expect(events.map((e) => e.kind).sort()).toEqual(['split-brain-begin', 'vrrp-transition']);
    expect(events.find((e) => e.kind === 'vrrp-transition')?.message).toBe('director2 VI_WEB FAULT → MASTER');
    expect(
      diffEvents(during, before, NOW)
        .map((e) => e.kind)
        .sort(),
    ).toEqual(['split-brain-end', 'vrrp-transition']);
    expect(diffEvents(before, before, NOW)).toEqual([]);
  });

  it('host down and up', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master') }, NOW);
    const up = store.getState();
    store.getState().hostDown('director1', { kind: 'unreachable', message: 'connect ECONNREFUSED' }, NOW + 1000);
    const down = store.getState();
    expect(diffEvents(up, down, NOW)).toMatchObject([{ kind: 'host-down', severity: 'critical', host: 'director1' }]);
    store.getState().hostUp('director1', NOW + 2000, 30);
    expect(diffEvents(down, store.getState(), NOW)).toMatchObject([{ kind: 'host-up', host: 'director1' }]);
  });
});

describe('store', () => {
  it('skips set when nothing changed and keeps unchanged parts by identity', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master') }, NOW);
    let sets = 0;
    store.subscribe(() => sets++);
    const before = store.getState().keepalived.director1;
    store.getState().setKeepalived('director1', before!.reading, before!.readAt);
    expect(sets).toBe(0);
    store.getState().setKeepalived('director1', before!.reading, before!.readAt + 1000);
    expect(sets).toBe(1);
    expect(store.getState().keepalived.director1!.reading).toBe(before!.reading);
  });
});
