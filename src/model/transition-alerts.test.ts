import { describe, expect, it } from 'vitest';
import { applyCaptures, fixture, storeFromCaptures, type Captures } from '../../test/support/fixture-store.js';
import { SYNC_NOW, syncPairConfig } from '../../test/support/sync-captures.js';
import { doctorChecks } from './doctor.js';
import { vrrpAlerts } from './vrrp.js';

/**
 * What the DR pair's alerts say while a failover is read, poll by poll (lab captures: test/fixtures/healthy with
 * director1 MASTER and the VIP, test/fixtures/failover with director2 MASTER and the VIP). A poll reads a director's
 * addresses, then keepalived; the directors are polled at their own moments. Readings of one moment disagree with
 * readings of another, and no alert may be made of that.
 */
const config = syncPairConfig;
const NOW = SYNC_NOW;
type Host = 'director1' | 'director2';
/** One poll of a director: its keepalived and addresses from a capture set (`healthy` or `failover`). */
const poll = (host: Host, keepalived: string, addresses = keepalived): Captures =>
  ({ [host]: { keepalived: `${keepalived}-json.txt`, 'ip-addr': `${addresses}/ip-j-addr.txt` } }) as Captures;
const ka = (set: string, host: string) => `${set}/${host}/keepalived`;
const cluster = (s: ReturnType<typeof storeFromCaptures>) => s.getState().clusters[0]!;
const noMaster = (s: ReturnType<typeof storeFromCaptures>) =>
  vrrpAlerts(s.getState(), cluster(s)).filter((a) => a.kind === 'no-master');
const vipCheck = (s: ReturnType<typeof storeFromCaptures>, host: Host) =>
  doctorChecks(s.getState(), cluster(s)).find((c) => c.id === `${host}:VI_WEB:master-holds-vip`);

describe('alerts while a failover is read', () => {
  it('says no director is MASTER only once each was read a takeover time after the last change seen', () => {
    const s = storeFromCaptures(config, { ...poll('director1', ka('healthy', 'director1'), 'healthy/director1') }, NOW);
    applyCaptures(s, config, poll('director2', ka('healthy', 'director2'), 'healthy/director2'), NOW + 500);
    expect(noMaster(s)).toEqual([]);
    // director1 steps down (its reading now BACKUP, as director2's capture is), its addresses without the VIP:
    // director2 was last read before that, and may have taken over since.
    applyCaptures(s, config, poll('director1', ka('healthy', 'director2'), 'failover/director1'), NOW + 2000);
    expect(noMaster(s)).toEqual([]);
    // director2 read again, still BACKUP, within a takeover's time (3 x advert_int 1 s + skew): it may still take
    // over, as it does a second or so after a MASTER steps down.
    applyCaptures(s, config, poll('director2', ka('healthy', 'director2'), 'healthy/director2'), NOW + 2500);
    expect(noMaster(s)).toEqual([]);
    // Both read again past that, both still BACKUP: the VIP has no owner, and nothing is taking over.
    applyCaptures(s, config, poll('director1', ka('healthy', 'director2'), 'failover/director1'), NOW + 7000);
    applyCaptures(s, config, poll('director2', ka('healthy', 'director2'), 'healthy/director2'), NOW + 7500);
    expect(noMaster(s).map((a) => a.message)).toEqual(['no director is MASTER (director1 BACKUP, director2 BACKUP)']);
  });

  it('checks that a MASTER holds its VIPs on addresses read after it became MASTER, with keepalived read since', () => {
    const s = storeFromCaptures(config, poll('director2', ka('healthy', 'director2'), 'healthy/director2'), NOW);
    // Seen MASTER in a poll whose addresses came first: they may predate the VIPs.
    applyCaptures(s, config, poll('director2', ka('failover', 'director2'), 'healthy/director2'), NOW + 2000);
    expect(vipCheck(s, 'director2')).toMatchObject({ pass: undefined });
    expect(vipCheck(s, 'director2')!.detail).toContain('in transition');
    // The next poll: MASTER still, the VIP still missing: that is a fault.
    applyCaptures(s, config, poll('director2', ka('failover', 'director2'), 'healthy/director2'), NOW + 4000);
    expect(vipCheck(s, 'director2')).toMatchObject({ pass: false, detail: 'missing 10.18.11.40' });
    // And with the VIP: passes.
    applyCaptures(s, config, poll('director2', ka('failover', 'director2'), 'failover/director2'), NOW + 6000);
    expect(vipCheck(s, 'director2')).toMatchObject({ pass: true });
  });

  it('does not fail a MASTER on addresses newer than its keepalived reading (stepping down)', () => {
    const s = storeFromCaptures(config, poll('director1', ka('healthy', 'director1'), 'healthy/director1'), NOW);
    applyCaptures(s, config, poll('director1', ka('healthy', 'director1'), 'healthy/director1'), NOW + 2000);
    expect(vipCheck(s, 'director1')).toMatchObject({ pass: true });
    // The next poll's addresses arrive without the VIP (it stepped down); its keepalived part has not come yet.
    const net = s.getState().hosts.director1!.net!;
    const without = { ...net, addresses: net.addresses.filter((a) => a.address !== '10.18.11.40') };
    s.getState().setNet('director1', without, NOW + 4000);
    expect(vipCheck(s, 'director1')).toMatchObject({ pass: undefined });
  });
});

describe('the doctor on a keepalived reading that failed', () => {
  const keepalivedCheck = (s: ReturnType<typeof storeFromCaptures>) =>
    doctorChecks(s.getState(), cluster(s)).find((c) => c.id === 'director1:keepalived');

  it('does not call keepalived stopped when its dump was read half written, and does when it is not running', () => {
    // The JSON dump cut short, as a read while keepalived is still writing it gets it (seen on the lab in failovers).
    const whole = fixture('healthy/director1/keepalived-json.txt');
    const half = { stdout: whole.slice(0, whole.length >> 1), stderr: '', exitCode: 0 };
    const s = storeFromCaptures(
      config,
      { director1: { keepalived: half, 'ip-addr': 'healthy/director1/ip-j-addr.txt' } },
      NOW,
    );
    expect(s.getState().keepalived.director1?.reading.status).toBe('error');
    expect(keepalivedCheck(s)).toMatchObject({ pass: undefined });
    // Stopped: the failover capture's stderr (director1's keepalived stopped, its pid file gone), with the exit code
    // the dump script gives a keepalived that is not running (3).
    const stopped = {
      stdout: '',
      stderr: fixture('failover/director1/keepalived-json.stderr.txt'),
      exitCode: 3,
    };
    applyCaptures(
      s,
      config,
      { director1: { keepalived: stopped, 'ip-addr': 'failover/director1/ip-j-addr.txt' } },
      NOW + 2000,
    );
    expect(keepalivedCheck(s)).toMatchObject({ pass: false });
  });
});
