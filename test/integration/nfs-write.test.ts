import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { nfsWriteRows, type NfsWriteRow } from '../../src/model/nfs-write-view.js';
import { createFleet, type Fleet } from '../../src/poller/fleet.js';
import type { LvsState } from '../../src/store/lvs-store.js';
import { eventually, eventuallyExplained, LAB_CONFIG, labCommand, paced, sshLab } from '../support/lab.js';

let fleet: Fleet;
let stopped = false;
const state = () => fleet.store.getState();
const rows = (s: LvsState = state()) =>
  nfsWriteRows(
    s,
    s.clusters.find((c) => c.name === 'wordpress')!,
    Date.now(),
  );
const row = (host: string, s?: LvsState): NfsWriteRow | undefined => rows(s).find((r) => r.host === host);
/** Waits scale with the lab's measured pace: a busy machine gets longer waits, the assertions stay as they are. */
const until = async <T>(check: (s: LvsState) => T | undefined | false, timeoutMs: number) =>
  eventually(async () => check(state()) || undefined, await paced(timeoutMs), 200);
const both = (ok: boolean) => (s: LvsState) => ['web1', 'web2'].every((h) => row(h, s)?.ok === ok);

beforeAll(async () => {
  const lab = await loadConfig(LAB_CONFIG);
  // The lab's console config checks writes as often as a production one (every 30 s): the test checks every 5 s, so
  // that it does not wait 30 s for each answer.
  const clusters = lab.config.clusters.map((c) => ({ ...c, nfs: c.nfs.map((m) => ({ ...m, writeIntervalMs: 5000 })) }));
  fleet = createFleet({ ...lab, config: { ...lab.config, clusters } }, { pollIntervalMs: 1000 });
  fleet.start();
});
afterAll(async () => {
  if (!stopped) await fleet?.stop();
});

describe('NFS not writable by the web user, caused for real', () => {
  it('nfs-uid-mismatch: web1 and web2 cannot write as www-data, both uids named; clears on repair; no file left', async () => {
    // The lab's normal state: the web servers run as www-data (uid 33), who owns the export.
    await eventuallyExplained(
      async () => both(true)(state()) || undefined,
      await paced(90_000),
      500,
      async () => `console: ${JSON.stringify(rows().map((r) => [r.host, r.ok, r.reason]))}`,
    );
    expect(row('web1')).toMatchObject({ user: 'www-data', uid: 33, owner: { uid: 33 } });

    const injectedAt = Date.now();
    await labCommand('fault', 'nfs-uid-mismatch', 'nfs');
    try {
      await eventuallyExplained(
        // The export's owner on the server is read with the NFS server's poll every 15 s: wait for that too.
        async () =>
          ['web1', 'web2'].every(
            (h) => (row(h)?.checkedAt ?? 0) > injectedAt && row(h)?.ok === false && row(h)?.export?.owner?.uid === 48,
          ) || undefined,
        await paced(60_000),
        500,
        async () => `console: ${JSON.stringify(rows().map((r) => [r.host, r.ok, r.reason]))}`,
      );
      for (const host of ['web1', 'web2']) {
        const r = row(host)!;
        // The owner as the client sees it may still be its cached attribute (acdirmin); the server's export owner is
        // read on the server itself: the web user's uid and the owner's uid are both named.
        expect(r.reason).toMatch(
          new RegExp(`^www-data uid 33 gid 33 on ${host} cannot write: /var/www/html owned by uid \\d+ `),
        );
        expect(r.reason).toMatch(/export \/srv\/wordpress on nfs: no_root_squash, \/srv\/wordpress owned by 48:48/);
        expect(r.export?.owner).toEqual({ uid: 48, gid: 48, mode: '755' });
        expect(
          state().events.some(
            (e) => e.kind === 'nfs-not-writable' && e.host === host && /not writable by the web user/.test(e.message),
          ),
        ).toBe(true);
      }
      // The stat probe is unaffected: the mount answers, only the web user's writes fail.
      expect(state().nfs['web1:/var/www/html']?.health).toMatch(/^(OK|SLOW)$/);
    } finally {
      await labCommand('fault', '--repair', 'nfs-uid-mismatch', 'nfs');
    }
    const repairedAt = Date.now();
    await until(
      (s) => ['web1', 'web2'].every((h) => (row(h, s)?.checkedAt ?? 0) > repairedAt && row(h, s)?.ok === true),
      60_000,
    );
    expect(state().events.some((e) => e.kind === 'nfs-writable' && e.host === 'web1')).toBe(true);
    // Every check removed its file, the ones that were refused and the ones that wrote. Stopping closes the SSH
    // connections at once; a check in flight on the host still ends by itself and removes its file a moment later.
    stopped = true;
    await fleet.stop();
    const left = async (host: string, dir: string) => (await sshLab(host, `ls -A ${dir}`)).match(/\.lvstop-write-\S*/g);
    for (const [host, dir] of [
      ['nfs', '/srv/wordpress'],
      ['web1', '/var/www/html'],
    ] as const) {
      await eventually(
        async () => ((await left(host, dir)) === null ? true : undefined),
        await paced(15_000),
        500,
      ).catch(() => undefined);
      expect(await left(host, dir)).toBeNull();
    }
  });
});
