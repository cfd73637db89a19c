import type { Config } from '../config/config-schema.js';
import type { ActionRequest } from './action-types.js';
import { findCluster, findDirector, findInstance } from './config-lookup.js';
import { validateSchedulerName } from './schedulers.js';
import { parseRealServerSpec, parseServiceSpec } from './target-spec.js';

/** Check everything that needs no host (names, service and real server syntax, scheduler); throws bad-input. */
export function validateRequest(config: Config, request: ActionRequest): void {
  const cluster = findCluster(config, request.cluster);
  const director = findDirector(cluster, request.director);
  switch (request.action) {
    case 'weight':
      if (request.service !== 'all') parseServiceSpec(request.service);
      parseRealServerSpec(request.realServer, cluster.realServers);
      return;
    case 'weight-rows':
      for (const r of request.rows) {
        findDirector(cluster, r.host);
        parseServiceSpec(r.service);
      }
      return;
    case 'scheduler':
      parseServiceSpec(request.service);
      validateSchedulerName(request.scheduler);
      request.hosts?.forEach((h) => findDirector(cluster, h));
      return;
    case 'failover':
    case 'release':
      findInstance(cluster, director, request.instance);
  }
}
