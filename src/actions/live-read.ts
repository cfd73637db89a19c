import { randomBytes } from 'node:crypto';
import { IPVS_LIST_ARGV, parseIpvsList } from '../../collectors/ipvs-list.js';
import {
  IPVS_THRESHOLDS_ARGV,
  parseIpvsThresholds,
  type RealServerThresholds,
} from '../../collectors/ipvs-thresholds.js';
import type { IpvsTable } from '../../collectors/ipvs-types.js';
import { keepalivedSections, parseSignums, type KeepalivedSignums } from '../../collectors/keepalived-dump-script.js';
import { interpretKeepalived } from '../../collectors/keepalived.js';
import { parseIpAddr } from '../../collectors/net-state.js';
import type { Section, SectionOutput } from '../../collectors/section.js';
import type { ClusterConfig, DirectorConfig } from '../config/config-schema.js';
import { buildSectionScript, splitSectionOutput } from '../transport/section-script.js';
import { TransportFailure } from '../transport/transport-error.js';
import type { ActionContext } from './action-context.js';
import { ActionError } from './action-error.js';
import { findDirector } from './config-lookup.js';
import { KEEPALIVED_RUNNING_ARGV, KEEPALIVED_VIRTUAL_SERVERS_ARGV } from './keepalived-owner.js';
import { parseAvailableSchedulers, SCHEDULERS_SECTION } from './schedulers.js';
import type { TrackFileKind, TrackFileReading, VrrpSide } from './vrrp-force.js';

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

/** Run read-only sections in one exec on a host. A transport failure becomes an ActionError of kind `host`. */
export async function readSections(
  ctx: ActionContext,
  host: string,
  sections: readonly Section[],
  timeoutMs = ctx.commandTimeoutMs,
): Promise<Map<string, SectionOutput>> {
  const nonce = randomBytes(6).toString('hex');
  try {
    const result = await ctx.transport(host).exec(['sh', '-c', buildSectionScript(sections, nonce)], { timeoutMs });
    const outputs = splitSectionOutput(result.stdout, nonce);
    if (outputs.size === 0)
      throw new ActionError(
        'host',
        `${host}: reading the live state failed: ${firstLine(result.stderr) || `exit code ${result.exitCode}`}`,
        host,
      );
    return outputs;
  } catch (err) {
    if (err instanceof TransportFailure)
      throw new ActionError('host', `${host}: ${err.detail.kind}: ${err.detail.message}`, host);
    throw err;
  }
}

const IP_VS_LOADED = ['test', '-e', '/proc/net/ip_vs'] as const;

/** A director's IPVS state as an action reads it live (not the store's polled reading). */
export interface LiveIpvs {
  readonly host: string;
  readonly table: IpvsTable;
  /** Thresholds by service key, then real server key. */
  readonly thresholds: ReadonlyMap<string, ReadonlyMap<string, RealServerThresholds>>;
  /** keepalived's `virtual_server` lines, when the config gives the director a keepalived that runs. */
  readonly keepalivedVirtualServers?: string;
  readonly schedulers?: readonly string[];
}

/** The IPVS table (with thresholds) of a director, plus what keepalived owns and, if asked, the schedulers. */
export async function readDirectorIpvs(
  ctx: ActionContext,
  director: DirectorConfig,
  options: { readonly schedulers?: boolean } = {},
): Promise<LiveIpvs> {
  const host = director.host;
  const sections: Section[] = [
    { id: 'ipvs-list', argv: IPVS_LIST_ARGV, guard: IP_VS_LOADED },
    { id: 'ipvs-thresholds', argv: IPVS_THRESHOLDS_ARGV, guard: IP_VS_LOADED },
    ...(director.keepalived
      ? [
          { id: 'ka-running', argv: KEEPALIVED_RUNNING_ARGV(director.keepalived.pidFile) },
          { id: 'ka-virtual-servers', argv: KEEPALIVED_VIRTUAL_SERVERS_ARGV },
        ]
      : []),
    ...(options.schedulers ? [SCHEDULERS_SECTION] : []),
  ];
  const out = await readSections(ctx, host, sections);
  const list = out.get('ipvs-list');
  if (!list || list.exitCode === null)
    throw new ActionError('host', `${host}: IPVS is not loaded (no /proc/net/ip_vs)`, host);
  if (list.exitCode !== 0)
    throw new ActionError(
      'host',
      `${host}: ipvsadm -L failed: ${firstLine(list.stderr) || `exit code ${list.exitCode}`}`,
      host,
    );
  const table = parseIpvsList(list.stdout);
  if (!table.ok) throw new ActionError('host', `${host}: cannot parse ipvsadm -L: ${table.error.message}`, host);
  const thresholdOut = out.get('ipvs-thresholds');
  const thresholds = thresholdOut?.exitCode === 0 ? parseIpvsThresholds(thresholdOut.stdout) : undefined;
  if (!thresholds?.ok)
    throw new ActionError('host', `${host}: cannot read real server thresholds (ipvsadm -L -n --thresholds)`, host);
  const running = out.get('ka-running')?.exitCode === 0;
  const schedulers = out.get('schedulers');
  return {
    host,
    table: table.value,
    thresholds: thresholds.value,
    ...(running ? { keepalivedVirtualServers: out.get('ka-virtual-servers')?.stdout ?? '' } : {}),
    ...(schedulers ? { schedulers: parseAvailableSchedulers(schedulers.stdout) } : {}),
  };
}

/** The live IPVS state of several directors of a cluster, by host. */
export type IpvsTables = ReadonlyMap<string, LiveIpvs>;

export async function readIpvsTables(
  ctx: ActionContext,
  cluster: ClusterConfig,
  hosts: readonly string[],
  options: { readonly schedulers?: boolean } = {},
): Promise<IpvsTables> {
  const tables = await Promise.all(hosts.map((h) => readDirectorIpvs(ctx, findDirector(cluster, h), options)));
  return new Map(tables.map((t) => [t.host, t]));
}

function trackValue(out: SectionOutput | undefined, path: string): TrackFileReading {
  const n = out?.exitCode === 0 ? Number.parseInt(out.stdout.trim() || '0', 10) : 0;
  return { path, value: Number.isFinite(n) ? n : 0 };
}

/** keepalived's signal numbers per host, learnt on the first dump (asking costs a keepalived start each time). */
const signums = new Map<string, KeepalivedSignums>();

/**
 * The dump waits for keepalived to write two files; on a slow host (each process start costs most of a second in
 * the emulated lab) that takes several seconds, so actions allow it more than a poll does.
 */
const DUMP_TIMEOUT_SEC = 15;

/** One director's side of a VRRP instance: keepalived's dump, the console's track files, the VIP on its links. */
export async function readVrrpSide(
  ctx: ActionContext,
  cluster: ClusterConfig,
  director: DirectorConfig,
  instance: string,
): Promise<VrrpSide> {
  const ka = director.keepalived!;
  const kinds = (['priority', 'fault'] as const).filter((k) => ka.trackFiles[k] !== undefined);
  let out: Map<string, SectionOutput>;
  try {
    const dump = keepalivedSections(ka.pidFile, undefined, signums.get(director.host), false, true);
    out = await readSections(
      ctx,
      director.host,
      [
        ...dump,
        ...kinds.map((k) => ({ id: `track-${k}`, file: ka.trackFiles[k]! })),
        { id: 'ip-addr', argv: ['ip', '-j', 'addr', 'show'] },
      ],
      Math.max(ctx.commandTimeoutMs, (DUMP_TIMEOUT_SEC + 5) * 1000),
    );
  } catch (err) {
    if (err instanceof ActionError && err.kind === 'host')
      return {
        host: director.host,
        problem: `unreachable (${err.message})`,
        files: {},
        vips: cluster.vips,
        holdsVip: false,
      };
    throw err;
  }
  const learnt = parseSignums(out.get('keepalived')?.stderr ?? '');
  if (learnt) signums.set(director.host, learnt);
  const files: Partial<Record<TrackFileKind, TrackFileReading>> = {};
  for (const k of kinds) files[k] = trackValue(out.get(`track-${k}`), ka.trackFiles[k]!);
  const addr = out.get('ip-addr');
  const parsed = addr?.exitCode === 0 ? parseIpAddr(addr.stdout) : undefined;
  const local = new Set(parsed?.ok ? parsed.value.map((a) => a.address) : []);
  const reading = interpretKeepalived(out);
  const inst = reading.status === 'ok' ? reading.instances.find((i) => i.name === instance) : undefined;
  const vips = inst && inst.vips.length > 0 ? inst.vips : cluster.vips;
  const base = { host: director.host, files, vips, holdsVip: vips.some((v) => local.has(v)) };
  if (reading.status !== 'ok') return { ...base, problem: `keepalived: ${reading.message}` };
  if (!inst) return { ...base, problem: `keepalived runs no instance ${instance}` };
  return { ...base, state: inst.state, basePriority: inst.basePriority, effectivePriority: inst.effectivePriority };
}
