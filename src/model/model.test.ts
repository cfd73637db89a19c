import { describe, expect, it } from 'vitest';
import { configOf, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { doctorChecks } from './doctor.js';
import { diffEvents } from './events.js';
import { replicationRows } from './replication-view.js';
import { HISTORY_POINTS, type LvsState } from '../store/lvs-store.js';
import { changedKeys } from '../store/record-changes.js';
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

  it('a MASTER read before the console saw its peer take over is not split brain; read after, it is', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master'), director2: ka('fault') }, NOW);
    const master = store.getState().keepalived.director1!.reading;
    const peerMaster = storeFromCaptures(config, { director2: ka('prio-minus20') }, NOW).getState().keepalived
      .director2!.reading;
    // director2 is seen MASTER at NOW + 2 s; director1's newest reading is from NOW + 1 s: a failover in progress.
    store.getState().setKeepalived('director1', master, NOW + 1000);
    store.getState().setKeepalived('director2', peerMaster, NOW + 2000);
    expect(vrrpAlerts(store.getState(), store.getState().clusters[0]!)).toEqual([]);
    // director1 read again after that, still MASTER: both are MASTER at once.
    store.getState().setKeepalived('director1', master, NOW + 3000);
    expect(vrrpAlerts(store.getState(), store.getState().clusters[0]!)).toMatchObject([{ kind: 'split-brain' }]);
  });

  it('a director whose clock is an hour ahead neither hides nor invents split brain', () => {
    // The captured dump of a MASTER whose transition time says "an hour from now", as a director whose clock runs an
    // hour ahead of the console's writes it.
    const ahead = fixture('keepalived-netns/prio-minus20.dump.txt').replace(
      /"last_transition":[\d.]+/,
      `"last_transition":${NOW / 1000 + 3600}`,
    );
    const store = storeFromCaptures(
      config,
      { director1: ka('healthy-master'), director2: { keepalived: { stdout: ahead, stderr: '', exitCode: 0 } } },
      NOW,
    );
    store.getState().setKeepalived('director1', store.getState().keepalived.director1!.reading, NOW + 2000);
    expect(vrrpAlerts(store.getState(), store.getState().clusters[0]!)).toEqual([
      { kind: 'split-brain', cluster: 'wordpress', message: 'VRID 51: MASTER on director1 and director2' },
    ]);
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

  it('the first reading after start is a baseline: no host-down event for a host that never answered', () => {
    const store = storeFromCaptures(config, {}, NOW);
    const start = store.getState();
    store.getState().hostDown('director2', { kind: 'unreachable', message: 'connect ECONNREFUSED' }, NOW);
    expect(diffEvents(start, store.getState(), NOW)).toEqual([]);
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

describe('events between states two writes apart', () => {
  it('two writes apart, both hosts going down are seen (the store notes only its last write)', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master'), director2: ka('fault') }, NOW);
    const up = store.getState();
    store.getState().hostDown('director1', { kind: 'unreachable', message: 'connect ECONNREFUSED' }, NOW + 1000);
    store.getState().hostDown('director2', { kind: 'timeout', message: 'connect timed out' }, NOW + 1000);
    const down = store.getState();
    expect(down.changes?.hosts?.keys).toEqual(['director2']);
    expect(diffEvents(up, down, NOW).map((e) => [e.kind, e.host])).toEqual([
      ['host-down', 'director1'],
      ['host-down', 'director2'],
    ]);
  });
});

describe('store', () => {
  it('notes which keys a batch wrote, against the records it started from', () => {
    const store = storeFromCaptures(config, { director1: ka('healthy-master') }, NOW);
    const seen: [LvsState, LvsState][] = [];
    store.subscribe((next, prev) => seen.push([next, prev]));
    store.getState().batch(() => {
      store.getState().hostUp('director1', NOW + 1000, 10);
      store.getState().hostDown('director2', { kind: 'timeout', message: 'connect timed out' }, NOW + 1000);
      store.getState().hostUp('director1', NOW + 2000, 10);
    });
    expect(seen).toHaveLength(1);
    const [next, prev] = seen[0]!;
    expect(next.changes?.hosts).toEqual({ from: prev.hosts, to: next.hosts, keys: ['director1', 'director2'] });
    expect(next.changes?.ipvs).toBeUndefined();
    expect(changedKeys(prev.hosts, next.hosts, undefined)).toEqual(['director1', 'director2']);
    expect(prev.hosts.director1!.readAt).toBe(NOW);
    expect(next.hosts.director1!.readAt).toBe(NOW + 2000);
  });

  it('lands a batch of updates as one change', () => {
    const store = storeFromCaptures(config, {}, NOW);
    const seen: string[] = [];
    store.subscribe((s) => seen.push(`${s.hosts.director1!.status}/${s.hosts.director2!.status}`));
    store.getState().batch(() => {
      store.getState().hostUp('director1', NOW, 10);
      store.getState().hostDown('director2', { kind: 'timeout', message: 'connect timed out' }, NOW);
      // Readers outside the store see the state before the batch until it lands.
      expect(store.getState().hosts.director1!.status).toBe('connecting');
    });
    expect(seen).toEqual(['up/down']);
  });

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

describe('a host that cannot be reached', () => {
  const nfsConfig = configOf({
    hosts: { web1: {}, web2: {}, director1: {} },
    clusters: [
      {
        name: 'wordpress',
        mode: 'dr',
        directors: [{ host: 'director1' }],
        replication: [
          {
            name: 'web',
            source: { host: 'web2', path: '/web' },
            replica: { host: 'web1', path: '/web' },
            heartbeatFile: '.lvstop-heartbeat',
          },
        ],
        nfs: [{ host: 'web1', mountpoint: '/var/www/html' }],
      },
    ],
  });

  it('has UNKNOWN mounts with the transport reason, never HUNG, and no NFS event', () => {
    const store = storeFromCaptures(nfsConfig, {}, NOW);
    const id = 'web1:/var/www/html';
    store.getState().hostUp('web1', NOW, 10);
    store.getState().setNfsProbe(id, { exitCode: 0, elapsedMs: 5, error: '' }, NOW);
    const before = store.getState();
    expect(before.nfs[id]?.health).toBe('OK');
    store.getState().hostDown('web1', { kind: 'unreachable', message: 'connect ECONNREFUSED 10.18.11.21:22' }, NOW);
    const after = store.getState();
    expect(after.nfs[id]).toMatchObject({
      health: 'UNKNOWN',
      reason: 'host web1 down: unreachable: connect ECONNREFUSED 10.18.11.21:22',
    });
    expect(diffEvents(before, after, NOW).map((e) => e.kind)).toEqual(['host-down']);
    store.getState().nfsProbeFailed(id, 'probe failed: closed: remote shell ended');
    expect(store.getState().nfs[id]).toMatchObject({
      health: 'UNKNOWN',
      reason: 'probe failed: closed: remote shell ended',
    });
  });

  it('makes its replication lag unknown, not the last value read', () => {
    const store = storeFromCaptures(nfsConfig, {}, NOW);
    const pair = 'wordpress/web';
    store.getState().setReplicationSide(pair, 'source', { heartbeat: 1_800_000_100 }, NOW);
    store.getState().setReplicationSide(pair, 'replica', { heartbeat: 1_800_000_100 }, NOW);
    const row = () => replicationRows(store.getState(), store.getState().clusters[0]!)[0]!;
    expect(row()).toMatchObject({ level: 'ok', lagSeconds: 0 });
    store.getState().hostDown('web1', { kind: 'timeout', message: 'connect timed out' }, NOW);
    expect(row()).toEqual({
      id: pair,
      name: 'web',
      source: 'web2',
      replica: 'web1',
      level: 'unknown',
      problems: ['replica web1 down: timeout: connect timed out'],
    });
  });
});

describe('clock skew doctor check', () => {
  it('fails for a director an hour ahead, passes within two seconds, is unknown before the clock was read', () => {
    const store = storeFromCaptures(config, {}, NOW);
    const check = (host: string) =>
      doctorChecks(store.getState(), store.getState().clusters[0]!).find((c) => c.id === `${host}:clock`);
    expect(check('director1')?.pass).toBeUndefined();
    store.getState().setClockSkew('director1', 3_600_000);
    store.getState().setClockSkew('director2', -1500);
    expect(check('director1')).toMatchObject({ pass: false, detail: 'ahead by 3600.0 s' });
    expect(check('director2')).toMatchObject({ pass: true, detail: 'behind by 1.5 s' });
  });
});

describe('rate history', () => {
  const natConfig = configOf({
    hosts: { 'nat-director': {} },
    clusters: [{ name: 'discuz', mode: 'nat', directors: [{ host: 'nat-director' }] }],
  });
  const list = fixture('healthy/nat-director/ipvsadm-Ln.txt');
  const stats = fixture('healthy/nat-director/ipvsadm-Ln-stats.txt');
  // The same capture without real server 192.168.60.99 (its lines removed), as after `ipvsadm -d`.
  const without99 = (text: string) =>
    text
      .split('\n')
      .filter((l) => !l.includes('192.168.60.99'))
      .join('\n');
  const reading = (l: string, st: string) => ({
    'ipvs-list': { stdout: l, stderr: '', exitCode: 0 },
    'ipvs-stats': { stdout: st, stderr: '', exitCode: 0 },
  });

  it('keeps a history only for the real servers in the table, however many polls', () => {
    const store = storeFromCaptures(natConfig, { 'nat-director': reading(list, stats) }, NOW);
    const feed = (l: string, st: string, at: number) =>
      storeFromCaptures(natConfig, { 'nat-director': reading(l, st) }, at).getState().ipvs['nat-director']!.reading;
    for (let i = 1; i <= 70; i++) store.getState().setIpvs('nat-director', feed(list, stats, NOW), NOW + i * 1000);
    const keys = () => Object.keys(store.getState().history['nat-director'] ?? {}).sort();
    expect(keys()).toHaveLength(6);
    expect(store.getState().history['nat-director']!['TCP 172.16.60.22:80|192.168.60.40:80']!.connsPerSec).toHaveLength(
      HISTORY_POINTS,
    );
    for (let i = 71; i <= 80; i++)
      store.getState().setIpvs('nat-director', feed(without99(list), without99(stats), NOW), NOW + i * 1000);
    expect(keys()).toEqual(keys().filter((k) => !k.includes('192.168.60.99')));
    expect(keys()).toHaveLength(3);
  });
});
