import type { LvsState } from '../store/lvs-store.js';
import type { ClusterInfo } from '../store/store-types.js';
import { heldVips, vrrpRows } from './vrrp.js';

export interface DoctorCheck {
  readonly id: string;
  readonly host: string;
  readonly title: string;
  /** undefined: not known yet (no data). */
  readonly pass: boolean | undefined;
  readonly detail: string;
  /** The command that would fix it; shown, never run by the console. */
  readonly fix?: string;
}

const unknown = (id: string, host: string, title: string): DoctorCheck => ({
  id,
  host,
  title,
  pass: undefined,
  detail: 'no data yet',
});

/** A host clock this far from the console's makes its logs and keepalived's transition times misleading. */
export const CLOCK_SKEW_LIMIT_MS = 2000;

function clockCheck(state: LvsState, host: string): DoctorCheck {
  const skew = state.hosts[host]?.clockSkewMs;
  const title = `clock within ${CLOCK_SKEW_LIMIT_MS / 1000} s of this console`;
  if (skew === undefined) return unknown(`${host}:clock`, host, title);
  return {
    id: `${host}:clock`,
    host,
    title,
    pass: Math.abs(skew) <= CLOCK_SKEW_LIMIT_MS,
    detail: `${skew >= 0 ? 'ahead' : 'behind'} by ${(Math.abs(skew) / 1000).toFixed(1)} s`,
    fix: 'timedatectl set-ntp true  # or check chrony/ntpd',
  };
}

/** ip_vs loaded on a director, and IP forwarding on for a NAT director. */
function directorChecks(state: LvsState, cluster: ClusterInfo, d: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const net = state.hosts[d]?.net;
  checks.push(
    net
      ? {
          id: `${d}:ip_vs`,
          host: d,
          title: 'ip_vs loaded',
          pass: net.ipvsLoaded,
          detail: net.ipvsLoaded
            ? `schedulers: ${net.loadedSchedulers.join(' ') || 'none loaded'}`
            : 'ip_vs module not loaded',
          fix: 'modprobe ip_vs',
        }
      : unknown(`${d}:ip_vs`, d, 'ip_vs loaded'),
  );
  if (cluster.mode === 'nat') {
    const v = net?.sysctls['net.ipv4.ip_forward'];
    checks.push(
      v === undefined
        ? unknown(`${d}:ip_forward`, d, 'ip_forward=1 (NAT director)')
        : {
            id: `${d}:ip_forward`,
            host: d,
            title: 'ip_forward=1 (NAT director)',
            pass: v === '1',
            detail: `net.ipv4.ip_forward = ${v}`,
            fix: 'sysctl -w net.ipv4.ip_forward=1',
          },
    );
  }
  return checks;
}

/**
 * keepalived answers on each director that runs it. Failed only when it is not running or does not answer: a dump that
 * could not be read (keepalived was still writing it when read, say) or a keepalived this user may not signal says
 * nothing about whether it runs.
 */
function keepalivedCheck(state: LvsState, d: string): DoctorCheck {
  const r = state.keepalived[d]?.reading;
  if (!r) return unknown(`${d}:keepalived`, d, 'keepalived running');
  return {
    id: `${d}:keepalived`,
    host: d,
    title: 'keepalived running',
    pass: r.status === 'ok' ? true : r.status === 'not-running' || r.status === 'timeout' ? false : undefined,
    detail: r.status === 'ok' ? `${r.instances.length} instance(s), dump via ${r.source}` : r.message,
    fix: 'systemctl start keepalived',
  };
}

/**
 * Each MASTER instance holds its VIPs. Judged only on addresses read after the MASTER state was first seen, and a
 * keepalived reading at least as new as those addresses: keepalived adds the VIPs as it becomes MASTER and drops them
 * as it steps down, and a poll reads the addresses before keepalived, so in a transition the two disagree for a poll.
 */
function masterVipChecks(state: LvsState, cluster: ClusterInfo): DoctorCheck[] {
  return vrrpRows(state, cluster)
    .filter((r) => r.state === 'MASTER')
    .map((row) => {
      const missing = row.vips.filter((v) => !row.holdsVips.includes(v));
      const net = state.hosts[row.director]?.netReadAt;
      const settled =
        net === undefined || row.readAt === undefined || row.stateSeenAt === undefined
          ? true
          : row.readAt >= net && net > row.stateSeenAt;
      return {
        id: `${row.director}:${row.instance}:master-holds-vip`,
        host: row.director,
        title: `MASTER ${row.instance} holds its VIPs`,
        pass: missing.length === 0 ? true : settled ? false : undefined,
        detail:
          missing.length === 0
            ? `holds ${row.vips.join(', ')}`
            : `missing ${missing.join(', ')}${settled ? '' : ' (in transition: the addresses are read again)'}`,
        fix: `ip addr add ${missing[0] ?? '<vip>'}/32 dev <iface>  # or restart keepalived on ${row.director}`,
      };
    });
}

/** A NAT real server routes its replies back through the director's DIP. */
function natGatewayCheck(state: LvsState, cluster: ClusterInfo, host: string): DoctorCheck {
  const net = state.hosts[host]?.net;
  const dips = Object.values(cluster.dips);
  const title = 'default route via the DIP (NAT real server)';
  if (!net) return unknown(`${host}:gateway`, host, title);
  return {
    id: `${host}:gateway`,
    host,
    title,
    pass: dips.length === 0 ? undefined : dips.includes(net.defaultGateway ?? ''),
    detail: `default via ${net.defaultGateway ?? 'none'}${dips.length ? `; DIP ${dips.join(', ')}` : '; no dip in config'}`,
    fix: `ip route replace default via ${dips[0] ?? '<DIP>'}`,
  };
}

/** A DR real server holds each VIP on lo only, and neither answers nor announces it by ARP. */
function drRealServerChecks(state: LvsState, cluster: ClusterInfo, host: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const net = state.hosts[host]?.net;
  for (const vip of cluster.vips) {
    const onLo = net?.addresses.some((a) => a.ifname === 'lo' && a.address === vip);
    checks.push(
      !net
        ? unknown(`${host}:vip-lo:${vip}`, host, `VIP ${vip} on lo (DR real server)`)
        : {
            id: `${host}:vip-lo:${vip}`,
            host,
            title: `VIP ${vip} on lo (DR real server)`,
            pass: onLo === true,
            detail: onLo ? 'present' : 'absent',
            fix: `ip addr add ${vip}/32 dev lo`,
          },
    );
    const elsewhere = heldVips(state, host, [vip]);
    if (net && elsewhere.length > 0)
      checks.push({
        id: `${host}:vip-not-on-nic:${vip}`,
        host,
        title: `VIP ${vip} only on lo`,
        pass: false,
        detail: 'VIP is on a real interface: it will answer ARP',
        fix: `ip addr del ${vip}/32 dev <iface>`,
      });
  }
  for (const [key, want] of [
    ['net.ipv4.conf.all.arp_ignore', '1'],
    ['net.ipv4.conf.all.arp_announce', '2'],
  ] as const) {
    const v = net?.sysctls[key];
    checks.push(
      v === undefined
        ? unknown(`${host}:${key}`, host, `${key}=${want}`)
        : {
            id: `${host}:${key}`,
            host,
            title: `${key}=${want}`,
            pass: v === want,
            detail: `${key} = ${v}`,
            fix: `sysctl -w ${key}=${want}`,
          },
    );
  }
  return checks;
}

/** The preconditions the seeds spend pages on, checked from live data. */
export function doctorChecks(state: LvsState, cluster: ClusterInfo): DoctorCheck[] {
  const hosts = new Set([...cluster.directors, ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : []))]);
  const checks: DoctorCheck[] = [...hosts].map((h) => clockCheck(state, h));
  for (const d of cluster.directors) checks.push(...directorChecks(state, cluster, d));
  for (const d of Object.keys(cluster.keepalived)) checks.push(keepalivedCheck(state, d));
  checks.push(...masterVipChecks(state, cluster));
  for (const rs of cluster.realServers) {
    if (!rs.host) continue;
    if (cluster.mode === 'nat') checks.push(natGatewayCheck(state, cluster, rs.host));
    else if (cluster.mode === 'dr') checks.push(...drRealServerChecks(state, cluster, rs.host));
  }
  return checks.map((c) => asOfNow(state, c));
}

/** A down host's checks rest on readings from before it went down: shown as last known, never passed or failed. */
function asOfNow(state: LvsState, check: DoctorCheck): DoctorCheck {
  const rt = state.hosts[check.host];
  if (rt?.status !== 'down' || check.pass === undefined) return check;
  const { fix: _fix, ...rest } = check;
  return { ...rest, pass: undefined, detail: `host down; last known: ${check.detail}` };
}
