/**
 * Fixtures: test/fixtures/conns/<state>/<host>.daemon.txt, `ipvsadm -L --daemon` captured on the lvstop lab
 * (ipvsadm v1.31) by test/lab/capture-conn-fixtures.sh. The DR pair runs keepalived's `lvs_sync_daemon eth0 VI_WEB
 * id 51`: the MASTER (director1) a master daemon, the BACKUP (director2) a backup one; in `backup-sync-down/` the
 * BACKUP's was stopped. The NAT director runs none.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpvsDaemon } from './ipvs-daemon.js';

const fixture = (state: string, host: string) =>
  readFileSync(resolve(import.meta.dirname, '../test/fixtures/conns', state, `${host}.daemon.txt`), 'utf8');

const sync = { interface: 'eth0', syncId: 51, maxLen: 1472, group: '224.0.0.81', port: 8848, ttl: 1 };

describe('parseIpvsDaemon', () => {
  it('reads the master and backup daemons keepalived runs on the DR pair', () => {
    expect(parseIpvsDaemon(fixture('live', 'director1'))).toEqual({
      ok: true,
      value: { master: { role: 'master', ...sync } },
    });
    expect(parseIpvsDaemon(fixture('live', 'director2'))).toEqual({
      ok: true,
      value: { backup: { role: 'backup', ...sync } },
    });
  });

  it('reads no output as no daemon', () => {
    expect(parseIpvsDaemon(fixture('backup-sync-down', 'director2'))).toEqual({ ok: true, value: {} });
    expect(parseIpvsDaemon(fixture('live', 'nat-director'))).toEqual({ ok: true, value: {} });
  });

  it('reads the older short form and both daemons at once', () => {
    // ipvsadm before 1.28 prints only mcast and syncid.
    const text = 'master sync daemon (mcast=eth1, syncid=7)\nbackup sync daemon (mcast=eth1, syncid=8)\n';
    expect(parseIpvsDaemon(text)).toEqual({
      ok: true,
      value: {
        master: { role: 'master', interface: 'eth1', syncId: 7 },
        backup: { role: 'backup', interface: 'eth1', syncId: 8 },
      },
    });
  });

  it('names the line that does not fit', () => {
    const bad = [
      "Can't initialize ipvs: Protocol not available",
      'master sync daemon (mcast=eth0, syncid=300)',
      'master sync daemon (mcast=eth0, syncid=1, color=red)',
      'master sync daemon (mcast=eth0, syncid=1, group=224.0.0.999)',
      'master sync daemon (syncid=1)',
    ];
    for (const line of bad) {
      const r = parseIpvsDaemon(`${line}\n`);
      expect(r.ok, line).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ kind: 'parse', line: 1, text: line });
    }
    const twice = parseIpvsDaemon(`${fixture('live', 'director1')}${fixture('live', 'director1')}`);
    expect(twice.ok || twice.error.message).toBe('ipvsadm -L --daemon: two master daemons');
  });
});
