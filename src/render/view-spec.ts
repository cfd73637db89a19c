import type { LvsState } from '../store/lvs-store.js';
import { auditRows } from './audit-rows.js';
import { connectionRows } from './conn-rows.js';
import { eventRows } from './event-rows.js';
import { hostsViewRows } from './hosts-rows.js';
import { overviewRows } from './overview-rows.js';
import { replicationViewRows } from './replication-rows.js';
import { serviceRows } from './service-rows.js';
import { storageViewRows } from './storage-rows.js';
import { withSyncRows } from './sync-rows.js';
import type { TableSpec } from './table-model.js';
import type { ViewId } from './views.js';
import { vrrpViewRows } from './vrrp-rows.js';

/** The one renderer of each view: the store in, columns and rows out. */
export function viewSpec(state: LvsState, view: ViewId, cluster: string, now: number): TableSpec {
  switch (view) {
    case 'overview':
      return overviewRows(state, now);
    case 'services':
      return serviceRows(state, cluster, now);
    case 'vrrp':
      return withSyncRows(vrrpViewRows(state, cluster, now), state, cluster, now);
    case 'replication':
      return replicationViewRows(state, cluster, now);
    case 'storage':
      return storageViewRows(state, cluster, now);
    case 'hosts':
      return hostsViewRows(state, cluster, now);
    case 'events':
      return eventRows(state, cluster);
    case 'audit':
      return auditRows(state);
    case 'connections':
      return connectionRows(state, cluster, now);
  }
}
