import { isCounter, isPort } from './field-ranges.js';
import { numbersTo } from './ipvs-line-scan.js';
import {
  addressOk,
  HEAD_FAULT,
  lineFault,
  nextShape,
  scanHead,
  type LineKind,
  type LineScan,
  type Lines,
} from './ipvs-lines.js';

/** The next line of `ipvsadm -L -n --stats --exact`; `hasService` says whether a service line came before. */
export function readStatsLine(c: Lines, s: LineScan, hasService: boolean): LineKind {
  const shape = nextShape(c, s);
  const { codes: b, text, end } = c;
  if (shape === 'dest') {
    if (!hasService || !numbersTo(b, text, s.portEnd, end, s.nums, 5))
      return lineFault(s, 'expected "-> ADDR:PORT Conns InPkts OutPkts InBytes OutBytes"');
    if (!countersInRange(s.nums)) return lineFault(s, 'counter out of range');
    if (!addressOk(c, s)) return lineFault(s, 'real server address is not an IP address');
    if (!isPort(s.port)) return lineFault(s, 'real server port out of range (0..65535)');
    return 'dest';
  }
  if (shape !== 'other') return shape;
  const restStart = scanHead(c, s);
  if (restStart === HEAD_FAULT) return 'fault';
  if (restStart < 0 || !numbersTo(b, text, restStart, end, s.nums, 5))
    return lineFault(s, 'unrecognised line in ipvsadm --stats output');
  if (!countersInRange(s.nums)) return lineFault(s, 'counter out of range');
  return 'service';
}

function countersInRange(nums: readonly number[]): boolean {
  for (let k = 0; k < 5; k++) if (!isCounter(nums[k]!)) return false;
  return true;
}
