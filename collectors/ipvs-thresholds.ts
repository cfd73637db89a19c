import { MAX_FIELDS, MAX_LINE, decimalUint, fieldsOf, isFwmark, isIpAddress, isPort } from './field-ranges.js';
import { serviceKey } from './ipvs-list.js';
import { ok, parseError, type ParseResult } from './parse-result.js';
import { realServerKey } from './ipvs-types.js';

/** `ipvsadm -L -n --thresholds`: upper and lower connection thresholds (-x, -y) of every real server. */
export const IPVS_THRESHOLDS_ARGV = ['ipvsadm', '-L', '-n', '--thresholds'] as const;

export interface RealServerThresholds {
  readonly upper: number;
  readonly lower: number;
}

/** `ADDR:PORT` or `[V6]:PORT` as ipvsadm prints it; undefined unless both parts are in range. */
function addressPort(text: string): { address: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 1) return undefined;
  const bracketed = text.startsWith('[') && text.charCodeAt(colon - 1) === 93;
  const address = bracketed ? text.slice(1, colon - 1) : text.slice(0, colon);
  const port = decimalUint(text.slice(colon + 1), 5);
  if (port === undefined || !isPort(port) || !isIpAddress(address)) return undefined;
  return address.includes(':') === bracketed ? { address, port } : undefined;
}

/** The service key of a `TCP  ADDR:PORT …` or `FWM  MARK [IPv6] …` line, or undefined. */
function serviceKeyOf(fields: readonly string[]): string | undefined {
  const [proto, target, maybeV6] = fields;
  if (proto === 'FWM') {
    const mark = decimalUint(target ?? '', 10);
    return mark !== undefined && isFwmark(mark)
      ? serviceKey({ protocol: 'FWM', fwmark: mark, ipv6: maybeV6 === 'IPv6' })
      : undefined;
  }
  if (proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') return undefined;
  const ap = addressPort(target ?? '');
  return ap ? serviceKey({ protocol: proto, ...ap }) : undefined;
}

/** Thresholds keyed by service key, then by real server key (`192.168.60.99:80`). */
export function parseIpvsThresholds(text: string): ParseResult<Map<string, Map<string, RealServerThresholds>>> {
  const out = new Map<string, Map<string, RealServerThresholds>>();
  let current: Map<string, RealServerThresholds> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.length > MAX_LINE) return parseError(`line longer than ${MAX_LINE} characters`, i + 1, raw);
    const line = raw.trimEnd();
    if (line === '' || /^(IP Virtual Server|Prot )/.test(line) || line.trimStart().startsWith('-> RemoteAddress'))
      continue;
    const fields = fieldsOf(line);
    if (!fields) return parseError(`more than ${MAX_FIELDS} fields`, i + 1, line);
    const key = /^\S/.test(line) ? serviceKeyOf(fields) : undefined;
    if (key) {
      current = new Map();
      out.set(key, current);
      continue;
    }
    // `  -> ADDR:PORT  Uthreshold Lthreshold ActiveConn InActConn`
    const ap = fields[0] === '->' && fields.length === 6 ? addressPort(fields[1]!) : undefined;
    const nums = fields.slice(2).map((f) => decimalUint(f, 10) ?? -1);
    if (!ap || !current || nums.some((n) => n < 0 || n > 0xffffffff))
      return parseError('unrecognised line in ipvsadm --thresholds output', i + 1, line);
    current.set(realServerKey(ap), { upper: nums[0]!, lower: nums[1]! });
  }
  return ok(out);
}
