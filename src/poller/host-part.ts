import { HOST_SECTIONS, interpretHostInfo } from '../../collectors/host-info.js';
import { interpretNetState, NET_SECTIONS, type NetState } from '../../collectors/net-state.js';
import { every, type PollPart } from './poll-parts.js';

export const MODULES_READ_MS = 10_000;
/** The kernel's release, read this often: it changes only with a reboot, and a rebooted host gets a new shell. */
export const OSRELEASE_READ_MS = 60_000;
/** MemTotal, MemFree and MemAvailable are the first three lines of /proc/meminfo: the rest is not read. */
const HOST_FILES = HOST_SECTIONS.map((s) => (s.id === 'meminfo' ? { ...s, maxLines: 3 } : s));
/**
 * What seldom changes and is read with the modules, every MODULES_READ_MS: the modules, the routes and the sysctls.
 * A section costs the host a few file operations and the framing; on a busy (or emulated) host, eight of them every
 * poll cost more than the host's own figures. A sysctl set right (or wrong) shows within MODULES_READ_MS.
 */
const SLOW_NET = new Set(NET_SECTIONS.filter((x) => x.id !== 'ip-addr').map((x) => x.id));

/**
 * The host's own files and its network state. Load, uptime, memory and addresses every poll; the modules, routes and
 * sysctls every MODULES_READ_MS and the kernel release every OSRELEASE_READ_MS, the polls between keeping what they
 * said. Until a poll has read them (the first, or one that failed), they are read again at the next.
 */
export function hostPart(host: string): PollPart {
  const slow = every(MODULES_READ_MS);
  const release = every(OSRELEASE_READ_MS);
  return {
    id: 'host',
    pane: 'host',
    sections: () => [
      ...(release.due() ? HOST_FILES : HOST_FILES.filter((x) => x.id !== 'osrelease')),
      ...(slow.due() ? NET_SECTIONS : NET_SECTIONS.filter((x) => !SLOW_NET.has(x.id))),
    ],
    apply: (out, state, at) => {
      const info = interpretHostInfo(out);
      const kernel = state.hosts[host]?.info?.kernel;
      if (info.ok) state.setHostInfo(host, out.has('osrelease') || !kernel ? info.value : { ...info.value, kernel });
      if (!kernel && (!info.ok || out.get('osrelease')?.exitCode !== 0)) release.again();
      const net = interpretNetState(out);
      const prev = state.hosts[host]?.net;
      if (net.ok) state.setNet(host, out.has('modules') || !prev ? net.value : withSlowOf(net.value, prev), at);
      // A poll that read the slow sections but not the addresses stored none of them: read them again at the next.
      if (out.has('modules') ? !net.ok : !prev) slow.again();
    },
  };
}

/** A reading without the slow sections, completed with what the last one that had them said. */
function withSlowOf(net: NetState, prev: NetState): NetState {
  const { defaultGateway: _, ...rest } = net;
  return {
    ...rest,
    ...(prev.defaultGateway ? { defaultGateway: prev.defaultGateway } : {}),
    sysctls: prev.sysctls,
    ipvsLoaded: prev.ipvsLoaded,
    loadedSchedulers: prev.loadedSchedulers,
  };
}
