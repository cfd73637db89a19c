import type { LvsState } from '../store/lvs-store.js';

type Cluster = LvsState['clusters'][number];

/** Every host of a cluster the console polls: directors, real servers with a host, NFS clients; once each. */
export function clusterHosts(cluster: Cluster): string[] {
  return [
    ...new Set([
      ...cluster.directors,
      ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : [])),
      ...cluster.nfs.map((n) => n.host),
    ]),
  ];
}
