import { MAX_FIELDS, MAX_LINE, decimalNumber, fieldsOf, isUnixTime } from './field-ranges.js';

export interface NotifyLine {
  readonly at: number;
  readonly instance: string;
  readonly state: string;
}

/**
 * Lines a keepalived notify script appends: `<unix time> <instance> <STATE>`. Other lines, over-long ones and times
 * outside the range a Date can show are skipped.
 */
export function parseNotifyLog(text: string): NotifyLine[] {
  const out: NotifyLine[] = [];
  for (const line of text.split('\n')) {
    if (line.length > MAX_LINE) continue;
    const f = fieldsOf(line, MAX_FIELDS);
    const at = f && f.length >= 3 ? decimalNumber(f[0]!) : undefined;
    if (at === undefined || !isUnixTime(at)) continue;
    out.push({ at, instance: f![1]!, state: f![2]! });
  }
  return out;
}
