import type { ClusterConfig, Config, DirectorConfig } from '../config/config-schema.js';
import { badInput } from './action-error.js';

const list = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : 'none');

export function findCluster(config: Config, name: string): ClusterConfig {
  const cluster = config.clusters.find((c) => c.name === name);
  if (!cluster) throw badInput(`unknown cluster "${name}" (clusters: ${list(config.clusters.map((c) => c.name))})`);
  return cluster;
}

export function findDirector(cluster: ClusterConfig, host: string): DirectorConfig {
  const director = cluster.directors.find((d) => d.host === host);
  if (!director)
    throw badInput(
      `"${host}" is not a director of cluster ${cluster.name} (directors: ${list(cluster.directors.map((d) => d.host))})`,
    );
  return director;
}

/** The cluster's other directors; with an instance, only those whose keepalived runs it. */
export function peerDirectors(cluster: ClusterConfig, host: string, instance?: string): DirectorConfig[] {
  return cluster.directors.filter(
    (d) =>
      d.host !== host &&
      (instance === undefined ? d.keepalived !== undefined : d.keepalived?.instances.includes(instance)),
  );
}

export function findInstance(cluster: ClusterConfig, director: DirectorConfig, instance: string): void {
  const ka = director.keepalived;
  if (!ka) throw badInput(`director ${director.host} of cluster ${cluster.name} has no keepalived block in the config`);
  if (!ka.instances.includes(instance))
    throw badInput(`unknown VRRP instance "${instance}" on ${director.host} (instances: ${list(ka.instances)})`);
}
