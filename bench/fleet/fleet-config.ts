/**
 * A generated lvstop config for N hosts that are all aliases of one private sshd: an ssh_config with `Host h001`...
 * (HostName 127.0.0.1, the sshd's port), N/2 clusters of two directors, and a known_hosts with the sshd's key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FleetSshd, CapturedTable } from './sshd-harness.js';
import { scaleIpvsCapture } from '../scale-table.js';

export const REPO = resolve(import.meta.dirname, '../../..');

export const hostName = (i: number) => `h${String(i + 1).padStart(3, '0')}`;

export interface FleetConfigOptions {
  readonly hosts: number;
  readonly intervalMs: number;
  /** Directors per cluster (2 for the fleet; 1 for a single big table). */
  readonly directorsPerCluster?: number;
}

/** Write ssh_config and lvstop.json next to the sshd's files; returns the config path. */
export function writeFleetConfig(sshd: FleetSshd, o: FleetConfigOptions): string {
  const names = Array.from({ length: o.hosts }, (_, i) => hostName(i));
  const sshConfig = join(sshd.dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    names
      .map(
        (n) =>
          `Host ${n}\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.identityFile}\n`,
      )
      .join(''),
  );
  const per = o.directorsPerCluster ?? 2;
  const clusters = [];
  for (let i = 0; i < names.length; i += per)
    clusters.push({
      name: `c${String(i / per + 1).padStart(3, '0')}`,
      mode: 'nat',
      directors: names.slice(i, i + per).map((host) => ({ host })),
      // The captured table's real servers are lab addresses: nothing here may connect to them.
      healthProbes: { enabled: false },
    });
  const config = {
    sshConfig,
    knownHosts: sshd.knownHostsFile,
    lvstopKnownHosts: join(sshd.dir, 'lvstop_known_hosts'),
    auditLog: join(sshd.dir, 'audit.jsonl'),
    eventLog: join(sshd.dir, 'events.jsonl'),
    pollIntervalMs: o.intervalMs,
    hosts: Object.fromEntries(names.map((n) => [n, { agent: false }])),
    clusters,
  };
  const file = join(sshd.dir, 'lvstop.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

const fixture = (path: string) => readFileSync(resolve(REPO, 'test/fixtures', path), 'utf8');

/**
 * The captured nat-director table (healthy state), as is or grown to `services` x `realServers` rows with
 * bench/scale-table.ts.
 */
export function capturedTable(grow?: { services: number; realServers: number }): CapturedTable {
  const list = fixture('healthy/nat-director/ipvsadm-Ln.txt');
  const stats = fixture('healthy/nat-director/ipvsadm-Ln-stats.txt');
  const ipAddr = fixture('healthy/nat-director/ip-j-addr.txt');
  if (!grow) return { list, stats, ipAddr };
  return { ...scaleIpvsCapture(list, stats, grow.services, grow.realServers), ipAddr };
}
