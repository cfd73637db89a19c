import { MAX_FIELDS, MAX_LINE, decimalUint, isCounter, isFwmark, isPort, isWeight } from './field-ranges.js';
import { numbersTo, skipSpace, skipToken, wordAt } from './ipvs-line-scan.js';
import {
  addressOk,
  lineFault,
  nextShape,
  NOT_A_SERVICE,
  scanHead,
  type LineKind,
  type LineScan,
  type Lines,
  type ServiceMeta,
} from './ipvs-lines.js';
import type { ForwardMethod } from './ipvs-types.js';

/** The next line of `ipvsadm -L -n --exact`; `hasService` says whether a service line came before. */
export function readListLine(c: Lines, s: LineScan, hasService: boolean): LineKind {
  const shape = nextShape(c, s);
  if (shape === 'dest') {
    const { codes: b, text, end } = c;
    if (!hasService) return lineFault(s, 'real server line before any service');
    const f = skipSpace(b, s.portEnd, end);
    const forward = forwardAt(b, f, end);
    if (!forward || !numbersTo(b, text, f + forward.length, end, s.nums, 3))
      return lineFault(s, 'expected "-> ADDR:PORT Forward Weight ActiveConn InActConn"');
    if (!addressOk(c, s)) return lineFault(s, 'real server address is not an IP address');
    if (!isPort(s.port)) return lineFault(s, 'real server port out of range (0..65535)');
    if (!isWeight(s.nums[0]!)) return lineFault(s, 'weight out of range (0..65535)');
    if (!isCounter(s.nums[1]!) || !isCounter(s.nums[2]!)) return lineFault(s, 'connection count out of range');
    s.forward = forward;
    return 'dest';
  }
  if (shape !== 'other') return shape;
  const unrecognised = 'unrecognised line in ipvsadm -L -n output';
  const restStart = scanHead(c, s);
  if (restStart < 0) return restStart === NOT_A_SERVICE ? lineFault(s, unrecognised) : 'fault';
  const tokens = tokensOf(c, restStart);
  if (!tokens) return lineFault(s, `more than ${MAX_FIELDS} fields`);
  const meta = serviceMeta(tokens);
  if (typeof meta !== 'object') return lineFault(s, meta ?? unrecognised);
  s.meta = meta;
  return 'service';
}

/** The forwarding method that is the whole token at i. */
function forwardAt(b: Uint8Array, i: number, end: number): ForwardMethod | undefined {
  const c = b[i];
  const f: ForwardMethod | undefined =
    c === 77 ? 'Masq' : c === 82 ? 'Route' : c === 84 ? 'Tunnel' : c === 76 ? 'Local' : undefined;
  return f !== undefined && wordAt(b, i, end, f) ? f : undefined;
}

function tokensOf(c: Lines, i: number): string[] | undefined {
  const { codes: b, end } = c;
  const out: string[] = [];
  for (i = skipSpace(b, i, end); i < end; i = skipSpace(b, i, end)) {
    const j = skipToken(b, i, end);
    if (out.push(c.text.slice(i, j)) > MAX_FIELDS) return undefined;
    i = j;
  }
  return out;
}

const SCHEDULER = /^[a-z][a-z0-9_-]*$/;

/** Scheduler, persistence and flags after a list service's address; a fault text when out of range. */
function serviceMeta(tokens: string[]): ServiceMeta | string | undefined {
  const scheduler = tokens[0];
  if (!scheduler || !SCHEDULER.test(scheduler)) return undefined;
  let persistence: number | undefined;
  let persistenceMask: string | undefined;
  const flags: string[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t === 'persistent' && next !== undefined && decimalUint(next, MAX_LINE) !== undefined) {
      persistence = decimalUint(next, 10) ?? -1;
      if (!isFwmark(persistence)) return 'persistence timeout out of range';
      i++;
    } else if (t === 'mask' && next) {
      persistenceMask = next;
      i++;
    } else if ((t === 'pe' || t === 'conn_timeout' || t === 'conn-timeout') && next) {
      flags.push(`${t} ${next}`);
      i++;
    } else {
      const inner = t.slice(t.startsWith('(') ? 1 : 0, t.endsWith(')') ? -1 : undefined);
      for (const f of inner.split(',')) if (f) flags.push(f);
    }
  }
  return {
    scheduler,
    ...(persistence === undefined ? {} : { persistence }),
    ...(persistenceMask === undefined ? {} : { persistenceMask }),
    flags,
  };
}
