import type { SavedService } from '../../collectors/ipvs-save.js';
import type { ConfVrrpInstance } from '../../collectors/keepalived-conf.js';
import type { HostReading } from './read-host.js';
import { directorEntry, type Say } from './director-entry.js';

export type FindingKind = 'found' | 'guessed' | 'warning';

/** One line of what init tells the operator; `scope` is a cluster name or a host alias. */
export interface Finding {
  readonly kind: FindingKind;
  readonly scope: string;
  readonly text: string;
}

export interface InitOptions {
  readonly sshConfig?: string;
  readonly knownHosts?: readonly string[];
  readonly sudo?: boolean;
}

/** The config as JSON-ready data, in the schema's shape (validated by the caller before writing). */
export interface InitConfig {
  sshConfig?: string;
  knownHosts?: string[];
  hosts: Record<string, { sudo?: boolean }>;
  clusters: {
    name: string;
    mode: 'nat' | 'dr' | 'tun';
    vips: string[];
    directors: {
      host: string;
      dip?: string;
      keepalived?: {
        instances: string[];
        trackFiles?: { priority?: string; fault?: string };
        pidFile?: string;
        notifyLog?: string;
      };
    }[];
    realServers: { host?: string; address: string }[];
  }[];
}

const MODE_OF_KIND: Record<string, 'nat' | 'dr' | 'tun'> = { NAT: 'nat', DR: 'dr', TUN: 'tun' };
const MODE_OF_FORWARD: Record<string, 'nat' | 'dr' | 'tun'> = { Masq: 'nat', Route: 'dr', Tunnel: 'tun' };

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/** Directors that share a VRID are one cluster (transitively); a director without VRRP is a cluster of its own. */
export function groupDirectors(readings: readonly HostReading[]): HostReading[][] {
  const groups: HostReading[][] = [];
  for (const r of readings) {
    const vrids = new Set(r.keepalived?.instances.map((i) => i.vrid).filter((v) => v !== undefined));
    const joined = groups.filter((g) =>
      g.some((o) => o.keepalived?.instances.some((i) => i.vrid !== undefined && vrids.has(i.vrid))),
    );
    const merged = [...joined.flat(), r];
    for (const g of joined) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups.map((g) => readings.filter((r) => g.includes(r)));
}

function describeInstance(i: ConfVrrpInstance): string {
  const parts = [
    i.vrid !== undefined ? `VRID ${i.vrid}` : 'no VRID',
    i.state,
    i.interface,
    i.priority !== undefined ? `priority ${i.priority}` : undefined,
    i.vips.length ? `VIP ${i.vips.join(' ')}` : 'no VIP',
    i.trackFiles.length ? `track_file ${i.trackFiles.map((t) => t.name).join(' ')}` : undefined,
    i.trackScripts.length ? `track_script ${i.trackScripts.join(' ')}` : undefined,
  ];
  return `vrrp_instance ${i.name} (${parts.filter(Boolean).join(', ')})`;
}

function describeServices(services: readonly SavedService[]): string {
  const rs = services.reduce((n, s) => n + s.realServers.length, 0);
  return `${services.length} IPVS service(s) with ${rs} real server(s): ${services.map((s) => `${s.key} ${s.scheduler ?? '?'}${s.persistence ? ` -p ${s.persistence}` : ''}${s.persistenceMask ? ` -M ${s.persistenceMask}` : ''}`).join(', ')}`;
}

/** What was read from each host, before any judgement. */
function hostFindings(r: HostReading): Finding[] {
  const out: Finding[] = [];
  const scope = r.alias;
  if (r.error) return [{ kind: 'warning', scope, text: `not read: ${r.error}; left out of the config` }];
  if (r.keepalived) {
    out.push({ kind: 'found', scope, text: `keepalived configuration in ${r.confFiles.join(', ')}` });
    for (const i of r.keepalived.instances) out.push({ kind: 'found', scope, text: describeInstance(i) });
    for (const t of r.keepalived.trackFiles)
      out.push({ kind: 'found', scope, text: `track_file ${t.name}: ${t.file ?? 'no file'}, weight ${t.weight ?? 1}` });
    for (const v of r.keepalived.virtualServers)
      out.push({
        kind: 'found',
        scope,
        text: `virtual_server ${v.target}: lb_algo ${v.lbAlgo ?? '?'}, lb_kind ${v.lbKind ?? '?'}${v.persistenceTimeout !== undefined ? `, persistence_timeout ${v.persistenceTimeout}` : ''}, ${v.realServers.length} real_server(s) (keepalived owns these IPVS rules)`,
      });
  }
  if (r.keepalivedProblem)
    out.push({ kind: r.keepalived ? 'warning' : 'found', scope, text: `keepalived: ${r.keepalivedProblem}` });
  if (r.ipvs) out.push({ kind: 'found', scope, text: describeServices(r.ipvs) });
  if (r.ipvsProblem) out.push({ kind: 'warning', scope, text: r.ipvsProblem });
  return out;
}

function clusterName(group: readonly HostReading[], taken: Set<string>): { name: string; from: string } {
  const instance = group.flatMap((r) => r.keepalived?.instances ?? [])[0]?.name;
  const base = instance ? instance.replace(/^vi[_-]/i, '').toLowerCase() || instance.toLowerCase() : group[0]!.alias;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return { name, from: instance ? `vrrp_instance ${instance}` : `director ${group[0]!.alias}` };
}

function modeOf(group: readonly HostReading[]): { mode: 'nat' | 'dr' | 'tun'; why: string; guessed: boolean } {
  const kinds = unique(group.flatMap((r) => r.keepalived?.virtualServers.map((v) => v.lbKind) ?? []));
  const fromKind = kinds.map((k) => (k ? MODE_OF_KIND[k] : undefined)).find(Boolean);
  if (fromKind) return { mode: fromKind, why: `lb_kind ${kinds.filter(Boolean).join('/')}`, guessed: kinds.length > 1 };
  const forwards = group.flatMap((r) => r.ipvs?.flatMap((s) => s.realServers.map((rs) => rs.forward)) ?? []);
  const counts = new Map<string, number>();
  for (const f of forwards) counts.set(f, (counts.get(f) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  const fromForward = top ? MODE_OF_FORWARD[top[0]] : undefined;
  if (fromForward)
    return {
      mode: fromForward,
      why: `ipvsadm forwarding ${top![0]} on ${top![1]} real server(s)`,
      guessed: counts.size > 1,
    };
  return { mode: 'dr', why: 'no lb_kind and no IPVS real servers to tell', guessed: true };
}

/** The cluster's VIPs: keepalived's virtual_ipaddress, else the IPVS services' addresses. */
function vipsOf(group: readonly HostReading[], say: Say): string[] {
  const vips = unique(group.flatMap((r) => r.keepalived?.instances.flatMap((i) => i.vips) ?? []));
  if (vips.length) {
    say('found', `VIPs ${vips.join(', ')} (VRRP virtual_ipaddress)`);
    return vips;
  }
  const fromIpvs = unique(group.flatMap((r) => r.ipvs?.flatMap((s) => (s.address ? [s.address] : [])) ?? []));
  if (fromIpvs.length) say('guessed', `VIPs ${fromIpvs.join(', ')} (the IPVS services' addresses)`);
  else say('warning', 'no VIP found: split-brain and DR checks need clusters[].vips');
  return fromIpvs;
}

/** What the whole init run shares while it builds clusters one by one. */
interface InitBuild {
  readonly realServers: readonly HostReading[];
  readonly findings: Finding[];
  /** Cluster names in use. */
  readonly taken: Set<string>;
  /** Real-server hosts already placed in a cluster. */
  readonly claimed: Set<string>;
  addHost(alias: string): void;
}

/** One cluster from a group of directors, with what was found and guessed about it. */
function clusterOf(group: readonly HostReading[], b: InitBuild): InitConfig['clusters'][number] {
  const { name, from } = clusterName(group, b.taken);
  const say: Say = (kind, text) => b.findings.push({ kind, scope: `cluster ${name}`, text });
  const vrids = unique(group.flatMap((r) => r.keepalived?.instances.map((i) => i.vrid) ?? [])).filter(
    (v) => v !== undefined,
  );
  say(
    'found',
    `directors ${group.map((r) => r.alias).join(', ')}${vrids.length ? ` (sharing VRID ${vrids.join(', ')})` : ' (no VRRP: a cluster of its own)'}`,
  );
  say('guessed', `name "${name}" (from ${from}); rename it freely`);
  const mode = modeOf(group);
  say(mode.guessed ? 'guessed' : 'found', `mode ${mode.mode} (${mode.why})`);
  const vips = vipsOf(group, say);

  const fromConf = group.flatMap((r) => r.keepalived?.virtualServers.flatMap((v) => v.realServers) ?? []);
  const fromIpvs = group.flatMap((r) => r.ipvs?.flatMap((s) => s.realServers) ?? []);
  const rsAddresses = unique([...fromConf, ...fromIpvs].map((rs) => rs.address));
  if (rsAddresses.length)
    say('found', `real servers ${rsAddresses.join(', ')} (keepalived real_server and ipvsadm -a lines)`);

  const directors = group.map((r) => {
    b.addHost(r.alias);
    return directorEntry(r, mode.mode, vips, rsAddresses, say);
  });
  const realServers = rsAddresses.map((address) => {
    const owner = b.realServers.find(
      (rs) => !rs.error && !b.claimed.has(rs.alias) && rs.addresses.some((a) => a.address === address),
    );
    if (!owner) return { address };
    b.claimed.add(owner.alias);
    b.addHost(owner.alias);
    say('found', `real server ${address} is ${owner.alias} (it holds that address)`);
    return { host: owner.alias, address };
  });
  return { name, mode: mode.mode, vips, directors, realServers };
}

/** Build the config and the report from what was read. Pure: the caller validates, prints and writes. */
export function buildInitConfig(
  directors: readonly HostReading[],
  realServers: readonly HostReading[],
  options: InitOptions = {},
): { config: InitConfig; findings: Finding[] } {
  const findings: Finding[] = [...directors, ...realServers].flatMap(hostFindings);
  const hosts: InitConfig['hosts'] = {};
  const build: InitBuild = {
    realServers,
    findings,
    taken: new Set(),
    claimed: new Set(),
    addHost: (alias) => (hosts[alias] = options.sudo ? { sudo: true } : {}),
  };
  const clusters = groupDirectors(directors.filter((r) => !r.error)).map((group) => clusterOf(group, build));

  for (const rs of realServers)
    if (!rs.error && !build.claimed.has(rs.alias))
      findings.push({
        kind: 'warning',
        scope: rs.alias,
        text: 'holds none of the real server addresses found on the directors; left out of the config',
      });

  const config: InitConfig = {
    ...(options.sshConfig ? { sshConfig: options.sshConfig } : {}),
    ...(options.knownHosts?.length ? { knownHosts: [...options.knownHosts] } : {}),
    hosts,
    clusters,
  };
  return { config, findings };
}

/** The report as text: one line per finding, grouped by scope, each labelled found / guessed / warning. */
export function formatFindings(findings: readonly Finding[]): string {
  const scopes = unique(findings.map((f) => f.scope));
  return scopes
    .map((scope) =>
      [`${scope}:`, ...findings.filter((f) => f.scope === scope).map((f) => `  ${f.kind.padEnd(7)}  ${f.text}`)].join(
        '\n',
      ),
    )
    .join('\n');
}
