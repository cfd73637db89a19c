import { describe, expect, it } from 'vitest';
import { applyCaptures, storeFromCaptures } from '../../test/support/fixture-store.js';
import { snapshotConfig } from '../../test/support/snapshot-states.js';
import { takeoverMetrics } from '../metrics/takeover-metrics.js';
import { formatTableRow } from '../render/table-model.js';
import { vrrpViewRows } from '../render/vrrp-rows.js';
import { buildSnapshot } from './snapshot.js';
import { diffEvents } from './events.js';
import { vrrpAlerts, vrrpRows } from './vrrp.js';
import { clusterTimings } from './vrrp-timing.js';

/**
 * The lab's DR pair after `stop-keepalived director1` (test/fixtures/failover): director1's keepalived is down (its
 * notify log ends with STOP at 1795288373), director2 took over at 1795288374. Before that, director2 claimed MASTER
 * once and gave it back: four changes on director1, three on director2 within two minutes.
 */
const NOW = Date.parse('2026-12-02T01:20:00Z');
const LAST_LINE_SEC = 1795288374;
const stopped = { stdout: '', stderr: 'keepalived is not running', exitCode: 3 };
const captures = {
  director1: { keepalived: stopped, 'keepalived-notify': 'failover/director1/keepalived-notify-log.txt' },
  director2: {
    keepalived: 'keepalived-netns/healthy-master.dump.txt',
    'keepalived-notify': 'failover/director2/keepalived-notify-log.txt',
  },
};

/** The pair read at NOW, the directors' clocks `clockAt` (unix s) at that moment. */
function pairAt(clockAt: number) {
  const store = storeFromCaptures(snapshotConfig, captures, NOW);
  for (const d of ['director1', 'director2']) store.getState().setClockSkew(d, clockAt * 1000 - NOW);
  const state = store.getState();
  const cluster = state.clusters.find((c) => Object.keys(c.keepalived).includes('director1'))!;
  return { store, state, cluster };
}

describe('failover timing from the store', () => {
  it('keeps the STOP line of a director whose keepalived is down and measures the takeover from it', () => {
    const { state, cluster } = pairAt(LAST_LINE_SEC + 2);
    expect(state.keepalived['director1']?.reading.status).toBe('not-running');
    const t = clusterTimings(state, cluster, vrrpRows(state, cluster)).get('VI_WEB')!;
    expect(t.measured.at(-1)).toMatchObject({ from: 'director1', to: 'director2', seconds: 1, leftAs: 'STOP' });
    expect(t.timing).toEqual({ advertIntSec: 1, version: 2 });
    expect(t.transitions10m).toEqual({ director1: 4, director2: 3 });
    expect(t.flapping).toEqual(['director1', 'director2']);
  });

  it('raises a flapping alert, shown in the view, the snapshot and /metrics', () => {
    const { state, cluster } = pairAt(LAST_LINE_SEC + 2);
    expect(vrrpAlerts(state, cluster).filter((a) => a.kind === 'flapping')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^VI_WEB flapping on director1: 4 transitions/) }),
      expect.objectContaining({ message: expect.stringMatching(/^VI_WEB flapping on director2: 3 transitions/) }),
    ]);
    const view = vrrpViewRows(state, cluster.name, NOW);
    const text = view.rows.map((r) => formatTableRow(view.columns, r).slice(0, 80));
    // director1 STOP, director2 MASTER: the last takeover took 1 s; nobody is left to take over; both flap.
    expect(text).toEqual([
      expect.stringMatching(/^director1 +VI_WEB +STOP .* 1s\/-! +4 ?/),
      expect.stringMatching(/^director2 +VI_WEB +MASTER .* 1s\/-! +3 ?/),
    ]);
    const detail = view.rows[0]!.detail;
    expect(detail?.kind === 'text' && detail.lines).toContain(
      'director1: 4 transitions in the last 10 minutes - FLAPPING',
    );
    const snap = buildSnapshot(state, NOW + 1000);
    const row = snap.clusters.find((c) => c.name === cluster.name)!.vrrp.find((r) => r.director === 'director1')!;
    expect(row.failover).toMatchObject({ transitions10m: 4, flapping: true, measured: [{}, {}, { seconds: 1 }] });
    const metric = (name: string) =>
      takeoverMetrics()
        .find((m) => m.name === name)!
        .samples(state, NOW);
    expect(metric('lvstop_vrrp_last_takeover_seconds')).toEqual([[{ cluster: cluster.name, instance: 'VI_WEB' }, 1]]);
    expect(metric('lvstop_vrrp_transitions_10m')).toContainEqual([
      { cluster: cluster.name, instance: 'VI_WEB', director: 'director1' },
      4,
    ]);
    expect(metric('lvstop_vrrp_flapping').map(([, v]) => v)).toEqual([1, 1]);
    const quiet = pairAt(LAST_LINE_SEC + 3 * 86_400).state;
    expect(diffEvents(quiet, state, NOW).filter((e) => e.kind === 'flapping-begin')).toHaveLength(2);
  });

  it('never calls old lines flapping: the lines are judged by their own time on the director clock', () => {
    // The same logs read days later (a restart of keepalived or of this console): nothing in the last 10 minutes.
    const { state, cluster } = pairAt(LAST_LINE_SEC + 3 * 86_400);
    expect(vrrpAlerts(state, cluster).filter((a) => a.kind === 'flapping')).toEqual([]);
    expect(clusterTimings(state, cluster, vrrpRows(state, cluster)).get('VI_WEB')?.transitions10m).toEqual({
      director1: 0,
      director2: 0,
    });
    // The measured takeover stays: it is history, not an alert.
    expect(vrrpViewRows(state, cluster.name, NOW).rows.map((r) => r.cells[7])).toEqual(['1s/-', '1s/-']);
  });

  it('keeps lines read in earlier polls when the log tail moves on', () => {
    const { store, cluster } = pairAt(LAST_LINE_SEC + 2);
    const tail = { stdout: '1795288400 VI_WEB BACKUP\n', stderr: '', exitCode: 0 };
    applyCaptures(
      store,
      snapshotConfig,
      { director2: { ...captures.director2, 'keepalived-notify': tail } },
      NOW + 2000,
    );
    const state = store.getState();
    expect(state.keepalived['director2']?.notifyHistory).toHaveLength(5);
    expect(clusterTimings(state, cluster, vrrpRows(state, cluster)).get('VI_WEB')?.measured.at(-1)).toMatchObject({
      to: 'director2',
      seconds: 1,
    });
  });
});
