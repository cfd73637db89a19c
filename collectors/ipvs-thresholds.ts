import { serviceKey } from './ipvs-list.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import { realServerKey } from './ipvs-types.js';

/** `ipvsadm -L -n --thresholds`: upper and lower connection thresholds (-x, -y) of every real server. */
export const IPVS_THRESHOLDS_ARGV = ['ipvsadm', '-L', '-n', '--thresholds'] as const;

export interface RealServerThresholds {
  readonly upper: number;
  readonly lower: number;
}

const SERVICE = /^(TCP|UDP|SCTP)\s+\[?([0-9a-fA-F:.]+?)\]?:(\d+)(?:\s|$)/;
const FWM = /^FWM\s+(\d+)(\s+IPv6)?(?:\s|$)/;
const DEST = /^\s+->\s+(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+$/;

/** Thresholds keyed by service key, then by real server key (`192.168.60.99:80`). */
export function parseIpvsThresholds(text: string): ParseResult<Map<string, Map<string, RealServerThresholds>>> {
  const out = new Map<string, Map<string, RealServerThresholds>>();
  let current: Map<string, RealServerThresholds> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    if (line === '' || /^(IP Virtual Server|Prot |\s+-> RemoteAddress)/.test(line)) continue;
    const s = SERVICE.exec(line);
    const f = s ? undefined : FWM.exec(line);
    if (s || f) {
      const key = s
        ? serviceKey({ protocol: s[1] as 'TCP' | 'UDP' | 'SCTP', address: s[2]!, port: Number(s[3]) })
        : serviceKey({ protocol: 'FWM', fwmark: Number(f![1]), ipv6: Boolean(f![2]) });
      current = new Map();
      out.set(key, current);
      continue;
    }
    const d = DEST.exec(line);
    if (!d || !current) return parseError('unrecognised line in ipvsadm --thresholds output', i + 1, line);
    const address = d[1]!.replace(/^\[|\]$/g, '');
    current.set(realServerKey({ address, port: Number(d[2]) }), { upper: Number(d[3]), lower: Number(d[4]) });
  }
  return ok(out);
}
