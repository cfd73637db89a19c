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

/** The preconditions the seeds spend pages on, checked from live data. */
export function doctorChecks(state: LvsState, cluster: ClusterInfo): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const hosts = new Set([...cluster.directors, ...cluster.realServers.flatMap((r) => (r.host ? [r.host] : []))]);
  for (const h of hosts) checks.push(clockCheck(state, h));
  for (const d of cluster.directors) {
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
  }
  const kaDirectors = Object.keys(cluster.keepalived);
  for (const d of kaDirectors) {
    const r = state.keepalived[d]?.reading;
    checks.push(
      !r
        ? unknown(`${d}:keepalived`, d, 'keepalived running')
        : {
            id: `${d}:keepalived`,
            host: d,
            title: 'keepalived running',
            pass: r.status === 'ok',
            detail: r.status === 'ok' ? `${r.instances.length} instance(s), dump via ${r.source}` : r.message,
            fix: 'systemctl start keepalived',
          },
    );
  }
  for (const row of vrrpRows(state, cluster).filter((r) => r.state === 'MASTER')) {
    const missing = row.vips.filter((v) => !row.holdsVips.includes(v));
    checks.push({
      id: `${row.director}:${row.instance}:master-holds-vip`,
      host: row.director,
      title: `MASTER ${row.instance} holds its VIPs`,
      pass: missing.length === 0,
      detail: missing.length === 0 ? `holds ${row.vips.join(', ')}` : `missing ${missing.join(', ')}`,
      fix: `ip addr add ${missing[0] ?? '<vip>'}/32 dev <iface>  # or restart keepalived on ${row.director}`,
    });
  }
  for (const rs of cluster.realServers) {
    if (!rs.host) continue;
    const net = state.hosts[rs.host]?.net;
    if (cluster.mode === 'nat') {
      const dips = Object.values(cluster.dips);
      const title = 'default route via the DIP (NAT real server)';
      checks.push(
        !net
          ? unknown(`${rs.host}:gateway`, rs.host, title)
          : {
              id: `${rs.host}:gateway`,
              host: rs.host,
              title,
              pass: dips.length === 0 ? undefined : dips.includes(net.defaultGateway ?? ''),
              detail: `default via ${net.defaultGateway ?? 'none'}${dips.length ? `; DIP ${dips.join(', ')}` : '; no dip in config'}`,
              fix: `ip route replace default via ${dips[0] ?? '<DIP>'}`,
            },
      );
    } else if (cluster.mode === 'dr') {
      for (const vip of cluster.vips) {
        const onLo = net?.addresses.some((a) => a.ifname === 'lo' && a.address === vip);
        checks.push(
          !net
            ? unknown(`${rs.host}:vip-lo:${vip}`, rs.host, `VIP ${vip} on lo (DR real server)`)
            : {
                id: `${rs.host}:vip-lo:${vip}`,
                host: rs.host,
                title: `VIP ${vip} on lo (DR real server)`,
                pass: onLo === true,
                detail: onLo ? 'present' : 'absent',
                fix: `ip addr add ${vip}/32 dev lo`,
              },
        );
        const elsewhere = heldVips(state, rs.host, [vip]);
        if (net && elsewhere.length > 0)
          checks.push({
            id: `${rs.host}:vip-not-on-nic:${vip}`,
            host: rs.host,
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
            ? unknown(`${rs.host}:${key}`, rs.host, `${key}=${want}`)
            : {
                id: `${rs.host}:${key}`,
                host: rs.host,
                title: `${key}=${want}`,
                pass: v === want,
                detail: `${key} = ${v}`,
                fix: `sysctl -w ${key}=${want}`,
              },
        );
      }
    }
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
