import { describe, expect, it } from 'vitest';
import { fixture } from '../test/support/fixture-store.js';
import { parseProcMounts } from './nfs.js';
import { exportOfMount, exportOptions, interpretNfsExports, parseExports } from './nfs-exports.js';
import { judgeNfsWrite, nfsWriteArgv, parseNfsWrite, type NfsWriteResult } from './nfs-write.js';
import type { SectionOutput } from './section.js';

// Captured on the lab by test/lab/capture-nfs-write-fixtures.sh (see test/fixtures/nfs-write/*/README.md).
const write = (state: string, host: string, as: string) => {
  const r = parseNfsWrite(fixture(`nfs-write/${state}/${host}/write-as-${as}.txt`));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const exportsOf = (state: string) => {
  const out = (id: string, file: string): [string, SectionOutput] => [
    id,
    { id, stdout: fixture(`nfs-write/${state}/nfs/${file}`), stderr: '', exitCode: 0 },
  ];
  const r = interpretNfsExports(
    new Map([
      out('nfs-etab', 'etab.txt'),
      out('nfs-kernel-exports', 'kernel-exports.txt'),
      out('etc-exports', 'etc-exports.txt'),
      out('nfs-export-owners', 'export-owners.txt'),
    ]),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('NFS write check as the web user, on lab captures', () => {
  it('writable export: www-data (configured, or found as the httpd workers) creates and removes its file', () => {
    for (const host of ['web1', 'web2'])
      for (const as of ['www-data', 'web-server']) {
        const r = write('writable', host, as);
        expect(r).toMatchObject({ user: 'www-data', uid: 33, gid: 33, runner: 'setpriv', writeExit: 0, error: '' });
        expect(r.owner).toEqual({ uid: 33, gid: 33, mode: '775' });
        expect(r.leftover).toBeUndefined();
        expect(judgeNfsWrite(r, as === 'www-data' ? 'www-data' : undefined)).toEqual({
          ok: true,
          reason: 'www-data uid 33 can write',
        });
      }
    expect(write('writable', 'web1', 'www-data').userFrom).toBe('config');
    expect(write('writable', 'web1', 'web-server').userFrom).toMatch(/^process:\d+:httpd$/);
  });

  it('export owned by uid 48: www-data cannot create, the client sees the new owner, nothing is left behind', () => {
    for (const host of ['web1', 'web2']) {
      const r = write('uid-mismatch', host, 'www-data');
      expect(r).toMatchObject({ uid: 33, writeExit: 3, owner: { uid: 48, gid: 48, mode: '755' } });
      expect(r.error).toMatch(/Permission denied/);
      expect(judgeNfsWrite(r, 'www-data')).toEqual({
        ok: false,
        reason: 'www-data uid 33 cannot write: Permission denied',
      });
      expect(fixture(`nfs-write/uid-mismatch/${host}/ls-A-after.txt`)).not.toMatch(/\.lvstop-write-/);
    }
  });

  it('says why it could not check instead of guessing', () => {
    const none: NfsWriteResult = { userFrom: 'none', error: '' };
    expect(judgeNfsWrite(none, undefined)).toMatchObject({
      ok: null,
      reason: expect.stringMatching(/no web server process/),
    });
    expect(judgeNfsWrite({ userFrom: 'config', error: '' }, 'wwwrun').reason).toBe(
      'not checked: user wwwrun is not in /etc/passwd',
    );
    const noTool = parseNfsWrite('user=www-data uid=33 gid=33 from=config\nrunner=none\n');
    expect(noTool.ok && judgeNfsWrite(noTool.value, 'www-data')).toEqual({
      ok: null,
      reason: 'not checked: no setpriv/runuser',
    });
    const killed = parseNfsWrite(
      'user=www-data uid=33 gid=33 from=config\nrunner=setpriv\nwrite=137\nleft=/m/.lvstop-write-ab\nowner=137 \n\n',
    );
    expect(killed.ok && killed.value.leftover).toBe('/m/.lvstop-write-ab');
    expect(killed.ok && judgeNfsWrite(killed.value, 'www-data')).toMatchObject({
      ok: null,
      reason: expect.stringMatching(/did not finish in time.*could not remove \/m\/\.lvstop-write-ab/),
    });
    expect(parseNfsWrite('garbage').ok).toBe(false);
  });

  it('a write killed by its timeout on the slow lab is no verdict, and its clean-up left nothing', () => {
    const r = parseNfsWrite(fixture('nfs-write/write-killed/web1-write-as-www-data.txt'));
    expect(r.ok && r.value).toMatchObject({ uid: 33, writeExit: 137, owner: { uid: 33 } });
    expect(r.ok && r.value.leftover).toBeUndefined();
    expect(r.ok && judgeNfsWrite(r.value, 'www-data')).toEqual({
      ok: null,
      reason: 'not checked: the write as www-data uid 33 did not finish in time (killed)',
    });
    expect(fixture('nfs-write/write-killed/web1-ls-A-after.txt')).not.toMatch(/\.lvstop-write-/);
  });

  it('passes the user, the directory and a bounded timeout as operands', () => {
    const argv = nfsWriteArgv('/var/www/html/', 2500, undefined, 'abc');
    expect(argv.slice(3)).toEqual(['nfs-write', '/var/www/html/', '3', '', 'abc']);
    expect(argv[2]).toContain('timeout -s KILL "$t"');
  });
});

describe('NFS server exports, on lab captures', () => {
  it('reads the effective export list and the export directory owner', () => {
    const r = exportsOf('uid-mismatch');
    expect(r.source).toBe('/var/lib/nfs/etab');
    expect(r.entries.map((e) => e.path)).toEqual(['/srv/wordpress']);
    expect(r.owners['/srv/wordpress']).toEqual({ uid: 48, gid: 48, mode: '755' });
    expect(exportsOf('writable').owners['/srv/wordpress']).toEqual({ uid: 33, gid: 33, mode: '775' });
  });

  it('maps the NFSv4 mount of 10.18.11.30:/ to the fsid=0 export with its squash options', () => {
    const mount = parseProcMounts(fixture('nfs-write/uid-mismatch/web1/proc-mounts.txt')).find(
      (m) => m.mountpoint === '/var/www/html' && m.fstype === 'nfs4',
    )!;
    const e = exportOfMount(exportsOf('uid-mismatch'), mount.device, mount.fstype, '10.18.11.21');
    expect(e).toEqual({
      path: '/srv/wordpress',
      directory: '/srv/wordpress',
      owner: { uid: 48, gid: 48, mode: '755' },
      options: { squash: 'no_root_squash', anonuid: 65534, anongid: 65534, readOnly: false },
    });
  });

  it('knows the defaults and the squash options of exports(5)', () => {
    // Written for this test: the lab exports with no_root_squash only.
    const [e] = parseExports('"/srv/web site" 10.0.0.0/8(rw,all_squash,anonuid=48,anongid=48) *(ro)\n# comment\n');
    expect(e!.path).toBe('/srv/web site');
    expect(exportOptions(e!.clients[0]!.options)).toEqual({
      squash: 'all_squash',
      anonuid: 48,
      anongid: 48,
      readOnly: false,
    });
    expect(exportOptions(['rw', 'sync'])).toMatchObject({ squash: 'root_squash', anonuid: 65534 });
    const reading = {
      source: '/etc/exports' as const,
      entries: parseExports('/srv/a 10.0.0.0/8(rw) *(ro,root_squash)'),
      owners: {},
    };
    expect(exportOfMount(reading, 'srv:/srv/a/sub', 'nfs', '192.168.1.5')?.options.readOnly).toBe(true);
    expect(exportOfMount(reading, 'srv:/srv/a/sub', 'nfs', '10.1.2.3')).toMatchObject({
      directory: '/srv/a/sub',
      options: { readOnly: false, squash: 'root_squash' },
    });
  });
});
