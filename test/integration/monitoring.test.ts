import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { doctorChecks } from '../../src/model/doctor.js';
import { replicationRows } from '../../src/model/replication-view.js';
import { vrrpAlerts, vrrpRows } from '../../src/model/vrrp.js';
import { createFleet, type Fleet } from '../../src/poller/fleet.js';
import type { LvsState } from '../../src/store/lvs-store.js';
import {
  brokenPairAlerts,
  eventually,
  eventuallyExplained,
  LAB_CONFIG,
  labCommand,
  labPace,
  paced,
  sshLab,
  vrrpGroundTruth,
} from '../support/lab.js';

let fleet: Fleet;
/** A host that has answered: `up`, or `slow` when a part of its poll came late (often, on a busy lab at 1 s). */
const answering = (h: { readonly status: string }) => h.status === 'up' || h.status === 'slow';
const state = () => fleet.store.getState();
const cluster = (name: string) => state().clusters.find((c) => c.name === name)!;
const vrrp = (director: string) => vrrpRows(state(), cluster('wordpress')).find((r) => r.director === director);
/** Waits scale with the lab's measured pace: a busy machine gets longer waits, the assertions stay as they are. */
const until = async <T>(check: (s: LvsState) => T | undefined | false, timeoutMs: number) =>
  eventually(async () => check(state()) || undefined, await paced(timeoutMs), 200);

beforeAll(async () => {
  fleet = createFleet(await loadConfig(LAB_CONFIG), { pollIntervalMs: 1000 });
  fleet.start();
  await until(
    (s) =>
      Object.values(s.hosts).every(answering) && vrrpRows(s, cluster('wordpress')).some((r) => r.state === 'MASTER'),
    60_000,
  );
});
afterAll(async () => {
  await fleet?.stop();
});

describe('keepalived and split brain, caused for real', () => {
  // Each case starts from the lab's normal state, also when the one before it failed half-way.
  beforeEach(async () => {
    await until(
      (s) =>
        vrrp('director1')?.state === 'MASTER' &&
        vrrp('director2')?.state === 'BACKUP' &&
        brokenPairAlerts(vrrpAlerts(s, cluster('wordpress'))).length === 0,
      60_000,
    );
  });

  it('starts with director1 MASTER holding the VIP and director2 BACKUP', async () => {
    await until(
      () =>
        vrrp('director1')?.state === 'MASTER' &&
        vrrp('director2')?.state === 'BACKUP' &&
        vrrp('director2')?.holdsVips.length === 0,
      30_000,
    );
    expect(vrrp('director1')).toMatchObject({
      state: 'MASTER',
      vrid: 51,
      basePriority: 100,
      holdsVips: ['10.18.11.40'],
    });
    expect(vrrp('director2')).toMatchObject({ state: 'BACKUP', basePriority: 90, holdsVips: [] });
    expect(brokenPairAlerts(vrrpAlerts(state(), cluster('wordpress')))).toEqual([]);
  });

  it('stop keepalived on the MASTER: the other director is MASTER within 5 s, with an event', async () => {
    const started = Date.now();
    await labCommand('fault', 'stop-keepalived', 'director1');
    try {
      const stoppedAt = Date.now();
      await until(() => vrrp('director2')?.state === 'MASTER', 15_000);
      const seenAfter = Date.now() - stoppedAt;
      const pace = await labPace();
      console.log(
        `director2 MASTER seen ${seenAfter} ms after the stop command returned (${stoppedAt - started} ms to stop, lab pace ${pace.toFixed(2)})`,
      );
      // 5 s on an idle lab: a graceful stop hands over within a second, then one interval and one poll.
      expect(seenAfter).toBeLessThan(5000 * pace);
      await until(() => vrrp('director1')?.state === 'STOP', 15_000);
      expect(
        state().events.some((e) => e.kind === 'vrrp-transition' && /director2 VI_WEB BACKUP → MASTER/.test(e.message)),
      ).toBe(true);
    } finally {
      await labCommand('fault', '--repair', 'stop-keepalived', 'director1');
    }
    await until(() => vrrp('director1')?.state === 'MASTER' && vrrp('director2')?.state === 'BACKUP', 30_000);
  });

  it('force FAULT through the track file: FAULT shown, VIP moves, event', async () => {
    await sshLab('director1', 'echo 1 > /etc/keepalived/lvstop_fault');
    try {
      await until(
        () => vrrp('director1')?.state === 'FAULT' && vrrp('director2')?.holdsVips.includes('10.18.11.40'),
        20_000,
      );
      expect(state().events.some((e) => /director1 VI_WEB MASTER → FAULT/.test(e.message))).toBe(true);
      // Track-file status comes with keepalived's data dump, read every few seconds.
      await until(() => vrrp('director1')?.trackFiles.find((t) => t.name === 'lvstop_fault')?.status === 1, 15_000);
    } finally {
      await sshLab('director1', 'echo 0 > /etc/keepalived/lvstop_fault');
    }
    await until(() => vrrp('director1')?.state === 'MASTER' && vrrp('director1')?.holdsVips.length === 1, 30_000);
  });

  it('kill -9 of the MASTER leaves its VIP behind while the peer takes over: split brain', async () => {
    await labCommand('fault', 'kill9-keepalived', 'director1');
    try {
      const alert = await eventuallyExplained(
        async () =>
          vrrpAlerts(state(), cluster('wordpress')).find(
            (a) => a.kind === 'split-brain' && /10\.18\.11\.40 is on/.test(a.message),
          ),
        await paced(60_000),
        200,
        async () =>
          `console: ${JSON.stringify(vrrpRows(state(), cluster('wordpress')).map((r) => [r.director, r.state, r.holdsVips]))}\n` +
          (await vrrpGroundTruth()),
      );
      expect(alert.message).toBe('VIP 10.18.11.40 is on director1 and director2');
      expect(state().events.some((e) => e.kind === 'split-brain-begin')).toBe(true);
    } finally {
      await labCommand('fault', '--repair', 'kill9-keepalived', 'director1');
    }
    await until(
      (s) =>
        brokenPairAlerts(vrrpAlerts(s, cluster('wordpress'))).length === 0 && vrrp('director1')?.state === 'MASTER',
      40_000,
    );
    expect(state().events.some((e) => e.kind === 'split-brain-end')).toBe(true);
  });
});

describe('NFS, caused for real', () => {
  it('blocked NFS: web1 mount HUNG within the probe timeout plus a poll; IPVS keeps updating; the loop stays responsive', async () => {
    const id = 'web1:/var/www/html';
    await until((s) => s.nfs[id]?.health === 'OK', 30_000);
    await labCommand('fault', 'block-nfs', 'nfs');
    const blockedAt = Date.now();
    try {
      await until((s) => s.nfs[id]?.health === 'HUNG', 20_000);
      const seen = Date.now() - blockedAt;
      console.log(`NFS HUNG seen after ${seen} ms (probe timeout 3000 ms, poll 1000 ms)`);
      const ipvsBefore = state().ipvs.director1!.readAt;
      let maxLag = 0;
      const lagProbe = setInterval(() => undefined, 50);
      const windowMs = Math.min(await paced(8000), 20_000);
      const t0 = Date.now();
      let last = t0;
      while (Date.now() - t0 < windowMs) {
        await new Promise((r) => setTimeout(r, 50));
        maxLag = Math.max(maxLag, Date.now() - last - 50);
        last = Date.now();
      }
      clearInterval(lagProbe);
      // The guest runs under TCG, where one poll takes 1-3 s: within 8 s (scaled by the lab's pace) director1
      // must have been read again.
      expect(state().ipvs.director1!.readAt).toBeGreaterThan(ipvsBefore);
      expect(maxLag).toBeLessThan(500);
      expect(state().nfs[id]?.health).toBe('HUNG');
    } finally {
      await labCommand('fault', '--repair', 'block-nfs', 'nfs');
    }
    await until((s) => s.nfs[id]?.health === 'OK', 90_000);
  });
});

describe('replication lag, caused for real', () => {
  it('rsync daemon stopped: lag grows past warn; started again: lag falls back', async () => {
    const row = () => replicationRows(state(), cluster('discuz'))[0]!;
    await until(() => row().level === 'ok', 30_000);
    await labCommand('fault', 'stop-rsyncd', 'real1');
    try {
      await until(() => (row().lagSeconds ?? 0) >= 5, 30_000);
      expect(['warn', 'critical']).toContain(row().level);
    } finally {
      await labCommand('fault', '--repair', 'stop-rsyncd', 'real1');
    }
    await until(() => row().level === 'ok', 60_000);
  });
});

describe('topology doctor, caused for real', () => {
  it('fails the ip_forward check on the NAT director and shows the fix', async () => {
    await sshLab('nat-director', 'sysctl -qw net.ipv4.ip_forward=0');
    try {
      const check = await until(
        (s) => doctorChecks(s, cluster('discuz')).find((c) => c.id === 'nat-director:ip_forward' && c.pass === false),
        15_000,
      );
      expect(check.fix).toBe('sysctl -w net.ipv4.ip_forward=1');
    } finally {
      await sshLab('nat-director', 'sysctl -qw net.ipv4.ip_forward=1');
    }
    await until(
      (s) => doctorChecks(s, cluster('discuz')).find((c) => c.id === 'nat-director:ip_forward')?.pass === true,
      15_000,
    );
  });

  it('fails the VIP-on-lo check on a DR real server and shows the fix', async () => {
    await sshLab('web2', 'ip addr del 10.18.11.40/32 dev lo');
    try {
      const check = await until(
        (s) =>
          doctorChecks(s, cluster('wordpress')).find((c) => c.id === 'web2:vip-lo:10.18.11.40' && c.pass === false),
        15_000,
      );
      expect(check.fix).toBe('ip addr add 10.18.11.40/32 dev lo');
    } finally {
      await sshLab('web2', 'ip addr add 10.18.11.40/32 dev lo');
    }
  });
});
