import type { Config } from '../../src/config/config-schema.js';
import type { LvsStore } from '../../src/store/lvs-store.js';
import { applyCaptures, DR_PAIR_CONFIG, fixture, storeFromCaptures, type Captures } from './fixture-store.js';

/**
 * The DR pair's connection sync, from lab captures: VRRP and IPVS tables from test/fixtures/healthy (director1
 * MASTER, `10.18.11.40:80 rr persistent 50`), sync daemons from test/fixtures/conns (`live/`: keepalived's
 * `lvs_sync_daemon`, master on director1, backup on director2; `backup-sync-down/`: the BACKUP's daemon stopped).
 * Table sizes are what `wc -l /proc/net/ip_vs_conn` prints: the captured tables' entries plus the header line.
 */
export const SYNC_NOW = Date.parse('2026-12-01T00:00:00Z');
export const syncPairConfig: Config = DR_PAIR_CONFIG;

/** Entries of a captured `ipvsadm -Lnc`: its lines but the two headers. */
export const lncEntries = (state: string, host: string) =>
  fixture(`conns/${state}/${host}.lnc.txt`)
    .split('\n')
    .filter((l) => l.trim() !== '').length - 2;

/** `wc -l /proc/net/ip_vs_conn` of a table with this many entries. */
export const wcOutput = (entries: number) => ({
  stdout: `${entries + 1} /proc/net/ip_vs_conn\n`,
  stderr: '',
  exitCode: 0,
});

/** One poll of the pair in a test/fixtures/conns state; `entries` overrides the counted table sizes. */
export function syncPairCaptures(
  state: string,
  entries?: { director1: number; director2: number },
): Record<'director1' | 'director2', Captures[string]> {
  const host = (name: 'director1' | 'director2') => ({
    keepalived: `healthy/${name}/keepalived-json.txt`,
    'ip-addr': `healthy/${name}/ip-j-addr.txt`,
    'ipvs-list': `healthy/${name}/ipvsadm-Ln.txt`,
    'ipvs-stats': `healthy/${name}/ipvsadm-Ln-stats.txt`,
    'ipvs-daemon': `conns/${state}/${name}.daemon.txt`,
    'ipvs-conn-count': wcOutput(entries?.[name] ?? lncEntries(state, name)),
  });
  return { director1: host('director1'), director2: host('director2') };
}

/**
 * The pair after two polls 2 s apart, as the poller reads it: everything at `at - 2000`, then at `at` all but the sync
 * daemons and table count (read every 10 and 30 s). A sync warning judges daemons only between two readings of the
 * director's VRRP state (model/sync.ts), so one poll alone shows none.
 */
export function syncPairStore(
  captures: Record<'director1' | 'director2', Captures[string]>,
  at = SYNC_NOW,
  config: Config = syncPairConfig,
): LvsStore {
  const store = storeFromCaptures(config, captures, at - 2000);
  const rest = (c: Captures[string]) => {
    const { 'ipvs-daemon': _d, 'ipvs-conn-count': _c, ...others } = c;
    return others;
  };
  applyCaptures(store, config, { director1: rest(captures.director1), director2: rest(captures.director2) }, at);
  return store;
}
