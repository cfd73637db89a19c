import type { VrrpState } from '../../collectors/keepalived-vrrp.js';
import { ActionError } from './action-error.js';

/** keepalived clamps an instance's effective priority to 1..254; a track file value beyond ±253 only saturates. */
export const MAX_PRIORITY = 254;
const MAX_DELTA = 253;

export type TrackFileKind = 'priority' | 'fault';

export interface TrackFileReading {
  readonly path: string;
  /** The integer in the file (an empty or missing file counts as 0, as keepalived reads it). */
  readonly value: number;
}

/** One director's view of one VRRP instance, as read live. */
export interface VrrpSide {
  readonly host: string;
  /** Why the side could not be read (unreachable, keepalived not running, instance missing). */
  readonly problem?: string;
  readonly state?: VrrpState;
  readonly basePriority?: number;
  readonly effectivePriority?: number;
  readonly files: Partial<Record<TrackFileKind, TrackFileReading>>;
  /** The instance's VIPs (from keepalived's dump, else the cluster's). */
  readonly vips?: readonly string[];
  /** The instance's VIPs are on this host's interfaces (`ip -j addr`). */
  readonly holdsVip: boolean;
}

export interface TrackWrite {
  readonly host: string;
  readonly kind: TrackFileKind;
  readonly path: string;
  readonly before: number;
  readonly value: number;
}

export interface VrrpExpectation {
  /** The host that must end up MASTER holding the VIP, when one can be predicted. */
  readonly master?: string;
  /** The state each host must reach. */
  readonly states: Readonly<Record<string, VrrpState>>;
}

export interface VrrpForcePlan {
  readonly writes: readonly TrackWrite[];
  readonly expect: VrrpExpectation;
  readonly explanation: string;
}

const healthy = (s: VrrpSide) => s.problem === undefined && s.state !== undefined;
const clampDelta = (n: number) => Math.max(-MAX_DELTA, Math.min(MAX_DELTA, n));
/** The effective priority without the console's own delta. */
const withoutDelta = (s: VrrpSide) => (s.effectivePriority ?? 0) - (s.files.priority?.value ?? 0);

/** The peer that would take over: a healthy BACKUP with the highest effective priority, else any peer. */
export function takeoverPeer(peers: readonly VrrpSide[]): VrrpSide | undefined {
  const ready = peers
    .filter((p) => healthy(p) && p.state === 'BACKUP')
    .sort((a, b) => (b.effectivePriority ?? 0) - (a.effectivePriority ?? 0));
  return ready[0] ?? peers[0];
}

/** Why forcing `director` to BACKUP would leave nobody to take over, or undefined when the peer is ready. */
export function peerNotReadyReason(instance: string, peer: VrrpSide | undefined): string | undefined {
  if (!peer) return `no other director runs ${instance} in the config: forcing BACKUP leaves the VIP on no host`;
  if (peer.problem) return `peer ${peer.host} is not ready to take over: ${peer.problem}`;
  if (peer.state !== 'BACKUP')
    return `peer ${peer.host} is ${peer.state ?? 'in an unknown state'}, not a healthy BACKUP ready to take over ${instance}`;
  if ((peer.files.fault?.value ?? 0) !== 0)
    return `peer ${peer.host}'s fault track file ${peer.files.fault!.path} holds ${peer.files.fault!.value}`;
  return undefined;
}

function write(side: VrrpSide, kind: TrackFileKind, value: number): TrackWrite {
  const file = side.files[kind]!;
  return { host: side.host, kind, path: file.path, before: file.value, value };
}

/** Writes that put `director` below its peer (BACKUP), reading priorities from the live dump. */
export function forceBackupWrites(instance: string, director: VrrpSide, peers: readonly VrrpSide[]): VrrpForcePlan {
  if (director.problem) throw new ActionError('refused', `${director.host}: ${director.problem}`, director.host);
  if (director.state !== 'MASTER')
    throw new ActionError(
      'nothing-to-do',
      `${director.host} is ${director.state} for ${instance}, not MASTER`,
      director.host,
    );
  const peer = takeoverPeer(peers);
  const peerEff = peer && healthy(peer) ? peer.effectivePriority : undefined;
  const states: Record<string, VrrpState> = {};
  if (peer && peerEff !== undefined) states[peer.host] = 'MASTER';
  const master = peerEff !== undefined ? peer!.host : undefined;
  const prio = director.files.priority;
  const target = peerEff === undefined ? undefined : peerEff - 1;
  if (prio && target !== undefined && target >= 1) {
    const value = clampDelta(Math.min(target - withoutDelta(director), prio.value - 1));
    states[director.host] = 'BACKUP';
    return {
      writes: [write(director, 'priority', value)],
      expect: { ...(master ? { master } : {}), states },
      explanation: `${director.host}'s effective priority goes from ${director.effectivePriority} to ${withoutDelta(director) + value}, below ${peer!.host}'s ${peerEff}`,
    };
  }
  if (director.files.fault) {
    states[director.host] = 'FAULT';
    return {
      writes: [write(director, 'fault', 1)],
      expect: { ...(master ? { master } : {}), states },
      explanation: `${director.host} goes to FAULT through its fault track file and releases the VIP`,
    };
  }
  if (prio) {
    const value = clampDelta(1 - withoutDelta(director));
    states[director.host] = 'BACKUP';
    return {
      writes: [write(director, 'priority', value)],
      expect: { ...(master ? { master } : {}), states },
      explanation: `${director.host}'s effective priority goes to 1 (the peer's priority is unknown)`,
    };
  }
  throw new ActionError(
    'refused',
    `${director.host} has no track file to force ${instance} to BACKUP (config: keepalived.trackFiles.priority or .fault)`,
    director.host,
  );
}

/** Writes that put `director` above its peer (MASTER): raise it, else lower the peer, else fault the peer. */
export function forceMasterWrites(instance: string, director: VrrpSide, peers: readonly VrrpSide[]): VrrpForcePlan {
  if (director.problem) throw new ActionError('refused', `${director.host}: ${director.problem}`, director.host);
  if (director.state === 'MASTER')
    throw new ActionError('nothing-to-do', `${director.host} already is MASTER for ${instance}`, director.host);
  if (director.state !== 'BACKUP') {
    const fault = director.files.fault?.value ?? 0;
    throw new ActionError(
      'refused',
      `${director.host} is ${director.state} for ${instance} and cannot become MASTER` +
        (fault !== 0 ? `: its fault track file holds ${fault}; release first` : ''),
      director.host,
    );
  }
  const peer = peers.find((p) => healthy(p) && p.state === 'MASTER') ?? takeoverPeer(peers);
  if (!peer || !healthy(peer))
    throw new ActionError(
      'refused',
      `cannot tell which director holds ${instance}: ${peer ? `${peer.host}: ${peer.problem}` : 'no peer in the config'}`,
      director.host,
    );
  const peerEff = peer.effectivePriority!;
  const dEff = director.effectivePriority!;
  const expect = (peerState: VrrpState): VrrpExpectation => ({
    master: director.host,
    states: { [director.host]: 'MASTER', [peer.host]: peerState },
  });
  const prio = director.files.priority;
  if (prio && peerEff + 1 <= MAX_PRIORITY) {
    const value = clampDelta(Math.max(peerEff + 1 - withoutDelta(director), prio.value + 1));
    return {
      writes: [write(director, 'priority', value)],
      expect: expect('BACKUP'),
      explanation: `${director.host}'s effective priority goes from ${dEff} to ${withoutDelta(director) + value}, above ${peer.host}'s ${peerEff}`,
    };
  }
  const peerPrio = peer.files.priority;
  if (peerPrio && dEff - 1 >= 1) {
    const value = clampDelta(Math.min(dEff - 1 - withoutDelta(peer), peerPrio.value - 1));
    return {
      writes: [write(peer, 'priority', value)],
      expect: expect('BACKUP'),
      explanation: `${peer.host}'s effective priority goes from ${peerEff} to ${withoutDelta(peer) + value}, below ${director.host}'s ${dEff}`,
    };
  }
  if (peer.files.fault)
    return {
      writes: [write(peer, 'fault', 1)],
      expect: expect('FAULT'),
      explanation: `${peer.host} goes to FAULT through its fault track file, so ${director.host} takes over`,
    };
  throw new ActionError(
    'refused',
    `no track file lets the console raise ${director.host} or lower ${peer.host} for ${instance} (config: keepalived.trackFiles)`,
    director.host,
  );
}

/** Writes 0 to every console track file that holds something else, and predicts who is MASTER afterwards. */
export function releaseWrites(instance: string, sides: readonly VrrpSide[]): VrrpForcePlan {
  const writes = sides.flatMap((s) =>
    (['priority', 'fault'] as const).filter((k) => (s.files[k]?.value ?? 0) !== 0).map((k) => write(s, k, 0)),
  );
  if (writes.length === 0)
    throw new ActionError('nothing-to-do', `no console track file for ${instance} holds anything but 0`);
  const candidates = sides
    .filter((s) => healthy(s) && (s.state !== 'FAULT' || (s.files.fault?.value ?? 0) !== 0))
    .map((s) => ({ host: s.host, priority: withoutDelta(s) }))
    .sort((a, b) => b.priority - a.priority);
  const [first, second] = candidates;
  const master = first && (!second || first.priority > second.priority) ? first.host : undefined;
  const states: Record<string, VrrpState> = {};
  for (const c of candidates) if (master) states[c.host] = c.host === master ? 'MASTER' : 'BACKUP';
  return {
    writes,
    expect: { ...(master ? { master } : {}), states },
    explanation: master
      ? `every director returns to its configured priority; ${master} (${first!.priority}) is MASTER`
      : 'every director returns to its configured priority',
  };
}

/** The argv that writes a track file; value and path are arguments of the script, never part of it. */
export function trackFileWriteArgv(value: number, path: string): string[] {
  return ['sh', '-c', 'printf "%s\\n" "$1" > "$2"', 'lvstop-write', String(value), path];
}
