import { describe, expect, it } from 'vitest';
import { interpretNfsExports } from '../../collectors/nfs-exports.js';
import { interpretNfsMounts } from '../../collectors/nfs.js';
import { judgeNfsWrite, parseNfsWrite } from '../../collectors/nfs-write.js';
import type { SectionOutput } from '../../collectors/section.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { storageViewRows } from '../render/storage-rows.js';
import type { LvsStore } from '../store/lvs-store.js';
import { configOf, fixture, storeFromCaptures } from '../../test/support/fixture-store.js';
import { diffEvents } from './events.js';
import { nfsWriteRows } from './nfs-write-view.js';
import { buildSnapshot } from './snapshot.js';

const NOW = Date.parse('2026-12-02T01:30:00Z');
const ID = 'web1:/var/www/html';
const config = configOf({
  hosts: { director1: {}, web1: {}, nfs: {} },
  clusters: [
    {
      name: 'wordpress',
      mode: 'dr',
      directors: [{ host: 'director1' }],
      nfs: [{ host: 'web1', mountpoint: '/var/www/html', server: 'nfs' }],
    },
  ],
});
const section = (id: string, stdout: string): [string, SectionOutput] => [id, { id, stdout, stderr: '', exitCode: 0 }];

/** web1's mount, its stat probe and write check, and the nfs host's exports, all from the lab captures of `state`. */
function capturedState(store: LvsStore, state: 'writable' | 'uid-mismatch', at: number): void {
  const s = store.getState();
  s.hostUp('web1', at, 10);
  const mounts = interpretNfsMounts(
    new Map([section('proc-mounts', fixture(`nfs-write/${state}/web1/proc-mounts.txt`))]),
  );
  if (!mounts.ok) throw new Error(mounts.error.message);
  s.setNfsMounts('web1', mounts.value, at);
  s.setNfsProbe(ID, { exitCode: 0, elapsedMs: 12, error: '' }, at);
  const dir = `nfs-write/${state}/nfs`;
  const exports = interpretNfsExports(
    new Map([
      section('nfs-etab', fixture(`${dir}/etab.txt`)),
      section('nfs-export-owners', fixture(`${dir}/export-owners.txt`)),
    ]),
  );
  if (!exports.ok) throw new Error(exports.error.message);
  s.setNfsExports('nfs', { host: 'nfs', readAt: at, reading: exports.value });
  const w = parseNfsWrite(fixture(`nfs-write/${state}/web1/write-as-www-data.txt`));
  if (!w.ok) throw new Error(w.error.message);
  s.setNfsWrite(ID, { at, result: w.value, ...judgeNfsWrite(w.value, 'www-data') });
}

describe('NFS not writable by the web user', () => {
  it('names both uids, the client view and the export on its server; Storage, snapshot, metrics and events agree', async () => {
    const store = storeFromCaptures(config, {}, NOW);
    capturedState(store, 'writable', NOW);
    const cluster = store.getState().clusters[0]!;
    expect(nfsWriteRows(store.getState(), cluster, NOW)[0]).toMatchObject({ ok: true, user: 'www-data', uid: 33 });
    const before = store.getState();
    capturedState(store, 'uid-mismatch', NOW + 30_000);
    const after = store.getState();
    const row = nfsWriteRows(after, cluster, NOW + 30_000)[0]!;
    expect(row.ok).toBe(false);
    expect(row.reason).toBe(
      'www-data uid 33 gid 33 on web1 cannot write: /var/www/html owned by uid 48 gid 48 mode 755 ' +
        '(export /srv/wordpress on nfs: no_root_squash, /srv/wordpress owned by 48:48 mode 755): Permission denied',
    );

    const storage = storageViewRows(after, 'wordpress', NOW + 30_000);
    const write = storage.columns.findIndex((c) => c.title === 'WRITE');
    expect(storage.rows[0]!.cells[write]).toBe('NO');
    expect(storage.rows[0]!.tone).toBe('critical');
    expect(storage.rows[0]!.detail).toMatchObject({
      kind: 'text',
      lines: [expect.any(String), expect.stringContaining(row.reason)],
    });

    const nfs = buildSnapshot(after, NOW + 30_000).clusters[0]!.nfs[0]!;
    expect(nfs.write).toMatchObject({
      ok: false,
      user: 'www-data',
      uid: 33,
      owner: { uid: 48, gid: 48 },
      export: { server: 'nfs', path: '/srv/wordpress', squash: 'no_root_squash', owner: { uid: 48 } },
      reason: row.reason,
    });

    const events = diffEvents(before, after, NOW + 30_000);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'nfs-not-writable', severity: 'critical', host: 'web1' }),
    );
    const again = store.getState();
    capturedState(store, 'writable', NOW + 60_000);
    expect(diffEvents(again, store.getState(), NOW + 60_000).map((e) => e.kind)).toContain('nfs-writable');

    capturedState(store, 'uid-mismatch', NOW + 90_000);
    // A check killed by its timeout is no verdict: the last one stands, with a note, and no event.
    const settled = store.getState();
    const killed = parseNfsWrite(fixture('nfs-write/write-killed/web1-write-as-www-data.txt'));
    if (!killed.ok) throw new Error(killed.error.message);
    store
      .getState()
      .setNfsWrite(ID, { at: NOW + 92_000, result: killed.value, ...judgeNfsWrite(killed.value, undefined) });
    expect(nfsWriteRows(store.getState(), cluster, NOW + 92_000)[0]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cannot write: .*; latest check 0 s ago: not checked: the write .* \(killed\)$/),
    });
    expect(diffEvents(settled, store.getState(), NOW + 92_000)).toEqual([]);
    const metrics = createFleetMetrics(store);
    try {
      expect(await metrics.registry.metrics()).toContain(
        'lvstop_nfs_write_ok{cluster="wordpress",host="web1",mountpoint="/var/www/html",user="www-data"} 0',
      );
      // A host that is down: its last check is history, not the present.
      store.getState().hostDown('web1', { kind: 'timeout', message: 'connect timed out' }, NOW + 95_000);
      expect(await metrics.registry.metrics()).not.toMatch(/^lvstop_nfs_write_ok\{/m);
      expect(nfsWriteRows(store.getState(), cluster, NOW + 95_000)[0]).toMatchObject({
        ok: null,
        reason: expect.stringMatching(/^last known, 5 s ago \(host down\)/),
      });
    } finally {
      metrics.close();
    }
  });

  it('is unknown, with no metric, before a check and while the mount is HUNG', () => {
    const store = storeFromCaptures(config, {}, NOW);
    const cluster = store.getState().clusters[0]!;
    expect(nfsWriteRows(store.getState(), cluster, NOW)[0]).toMatchObject({
      ok: null,
      reason: 'write not checked yet',
    });
    capturedState(store, 'uid-mismatch', NOW);
    store.getState().setNfsProbe(ID, { exitCode: 137, elapsedMs: 3000, error: '' }, NOW + 2000);
    expect(nfsWriteRows(store.getState(), cluster, NOW + 2000)[0]).toMatchObject({
      ok: null,
      reason: 'write not checked: mount HUNG',
    });
  });
});
