import type { ConfVrrpInstance, KeepalivedConf } from '../../collectors/keepalived-conf.js';
import type { InterfaceAddress } from '../../collectors/net-state.js';
import type { FindingKind, InitConfig } from './build-config.js';
import type { HostReading } from './read-host.js';

/** Tell the operator one thing about the cluster being built. */
export type Say = (kind: FindingKind, text: string) => void;

type DirectorEntry = InitConfig['clusters'][number]['directors'][number];

const DEFAULT_PID_FILE = '/run/keepalived.pid';

const unique = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

function ipv4ToInt(a: string): number | undefined {
  const p = a.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function inSubnet(address: string, net: InterfaceAddress): boolean {
  const a = ipv4ToInt(address);
  const n = ipv4ToInt(net.address);
  if (a === undefined || n === undefined || net.family !== 'inet' || net.prefixLength === 0) return false;
  const mask = net.prefixLength >= 32 ? 0xffffffff : (0xffffffff << (32 - net.prefixLength)) >>> 0;
  return (a & mask) === (n & mask) && a !== n;
}

/** Effective weight of a track file for an instance: the instance's `weight`, else the definition's, else 1. */
function trackFilesOf(conf: KeepalivedConf, instances: readonly ConfVrrpInstance[]) {
  const out: { priority?: string; fault?: string } = {};
  for (const ref of instances.flatMap((i) => i.trackFiles)) {
    const def = conf.trackFiles.find((t) => t.name === ref.name);
    if (!def?.file) continue;
    const weight = ref.weight ?? def.weight ?? 1;
    if (weight === 1) out.priority ??= def.file;
    if (weight === 0) out.fault ??= def.file;
  }
  return out;
}

/** The keepalived part of a director's entry: its instances, track files, pid file and notify log. */
function keepalivedEntry(r: HostReading, ka: KeepalivedConf, say: Say): DirectorEntry['keepalived'] {
  const trackFiles = trackFilesOf(ka, ka.instances);
  const scripts = unique(ka.instances.flatMap((i) => i.notify.map((n) => n.split(/\s+/)[0]!)));
  const notifyLog = scripts.map((s) => r.notifyLogs.get(s)).find(Boolean);
  if (!trackFiles.priority || !trackFiles.fault)
    say(
      'warning',
      `${r.alias}: no track_file with weight ${trackFiles.priority ? 0 : 1}: forcing ${trackFiles.priority ? 'FAULT' : 'MASTER/BACKUP'} from the console needs one (see the README)`,
    );
  if (r.pidFile) say('found', `${r.alias}: keepalived pid file ${r.pidFile}`);
  else say('guessed', `${r.alias}: keepalived pid file ${DEFAULT_PID_FILE} (keepalived's default; none there now)`);
  if (notifyLog)
    say(
      'guessed',
      `${r.alias}: notify log ${notifyLog} (the notify script appends there; assumed "<time> <instance> <STATE>" lines)`,
    );
  return {
    instances: ka.instances.map((i) => i.name),
    ...(trackFiles.priority || trackFiles.fault ? { trackFiles } : {}),
    ...(r.pidFile && r.pidFile !== DEFAULT_PID_FILE ? { pidFile: r.pidFile } : {}),
    ...(notifyLog ? { notifyLog } : {}),
  };
}

/** One director's entry: its DIP (NAT: its address in the real servers' subnet) and its keepalived. */
export function directorEntry(
  r: HostReading,
  mode: 'nat' | 'dr' | 'tun',
  vips: readonly string[],
  rsAddresses: readonly string[],
  say: Say,
): DirectorEntry {
  const director: DirectorEntry = { host: r.alias };
  if (mode === 'nat') {
    const dip = r.addresses.find((a) => !vips.includes(a.address) && rsAddresses.some((rs) => inSubnet(rs, a)));
    if (dip) {
      director.dip = dip.address;
      say('found', `${r.alias}: DIP ${dip.address} (its address on ${dip.ifname}, the real servers' subnet)`);
    } else say('warning', `${r.alias}: no address in the real servers' subnet; set dip by hand for the NAT checks`);
  }
  const ka = r.keepalived;
  if (ka && ka.instances.length > 0) director.keepalived = keepalivedEntry(r, ka, say);
  return director;
}
