import type { ResolvedConfig } from '../config/load-config.js';
import { buildSnapshot } from '../model/snapshot.js';
import { directorHealth } from '../model/rs-health.js';
import { createFleet } from '../poller/fleet.js';
import { serviceRows } from '../render/service-rows.js';
import { formatTableRow } from '../render/table-model.js';

export interface SnapshotOptions {
  readonly json: boolean;
  readonly rates: boolean;
  readonly acceptNew: boolean;
}

/** Poll once (twice, a second apart, for rates), print, and return the exit code. */
export async function runSnapshot(resolved: ResolvedConfig, options: SnapshotOptions): Promise<number> {
  const fleet = createFleet(resolved, { acceptNew: options.acceptNew });
  try {
    await Promise.all([fleet.refreshAll(), fleet.probeNfsAll()]);
    // A real server is called down after `failuresToDown` failed probes in a row: probe until every probed server
    // has a verdict (up, or down), at most twice that many rounds (a round a busy director could not run says nothing).
    const state0 = fleet.store.getState();
    const rounds = Math.min(5, Math.max(1, ...state0.clusters.map((c) => c.healthProbes?.failuresToDown ?? 1)));
    const undecided = () =>
      Object.keys(fleet.store.getState().ipvs).some((d) =>
        directorHealth(fleet.store.getState(), d, Date.now()).some(
          (h) => 'target' in h.plan && (h.verdict === 'failing' || h.verdict === 'unknown'),
        ),
      );
    for (let i = 0; i < 2 * rounds && (i < rounds || undecided()); i++) await fleet.probeRealServersAll();
    if (options.rates) {
      await new Promise((r) => setTimeout(r, 1000));
      await fleet.refreshAll();
    }
    const state = fleet.store.getState();
    const now = Date.now();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(buildSnapshot(state, now), null, 2)}\n`);
    } else {
      for (const cluster of state.clusters) {
        process.stdout.write(`== ${cluster.name} (${cluster.mode})\n`);
        const spec = serviceRows(state, cluster.name, now);
        for (const row of spec.rows) {
          process.stdout.write(`${formatTableRow(spec.columns, row)}\n`);
        }
      }
      for (const h of Object.values(state.hosts)) {
        if (h.status !== 'up')
          process.stdout.write(`host ${h.name}: ${h.status}${h.error ? ` ${h.error.kind}: ${h.error.message}` : ''}\n`);
      }
    }
    return Object.values(state.hosts).every((h) => h.status === 'up') ? 0 : 1;
  } finally {
    await fleet.stop();
  }
}
