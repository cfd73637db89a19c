import { realServerKey } from '../../collectors/ipvs-types.js';
import type { ActionChange, WeightEdit } from './action-types.js';
import { changeKey } from './audit-log.js';
import type { DirectorIpvs } from './live-read.js';

/** The values a weight edit changes or must keep, for the preview, compare-and-set and read-back. */
export function weightChanges(edit: WeightEdit): ActionChange[] {
  const target = `${edit.service.key} ${edit.realServer}`;
  const t = edit.thresholds;
  return [
    { host: edit.host, target, field: 'weight', before: String(edit.before), after: String(edit.after) },
    { host: edit.host, target, field: 'forwarding', before: edit.forward, after: edit.forward },
    ...(t && (t.upper > 0 || t.lower > 0)
      ? [
          {
            host: edit.host,
            target,
            field: 'thresholds',
            before: `${t.upper}/${t.lower}`,
            after: `${t.upper}/${t.lower}`,
          },
        ]
      : []),
  ];
}

/** The same values read from a director's live table; a row that is gone reads `absent`. */
export function weightLiveValues(edit: WeightEdit, live: DirectorIpvs): Record<string, string> {
  const svc = live.table.services.find((s) => s.key === edit.service.key);
  const rs = svc?.realServers.find((r) => realServerKey(r) === edit.realServer);
  const th = live.thresholds.get(edit.service.key)?.get(edit.realServer);
  const out: Record<string, string> = {};
  for (const c of weightChanges(edit)) {
    const value =
      c.field === 'weight'
        ? rs?.weight
        : c.field === 'forwarding'
          ? rs?.forward
          : th
            ? `${th.upper}/${th.lower}`
            : undefined;
    out[changeKey(c)] = rs === undefined || value === undefined ? 'absent' : String(value);
  }
  return out;
}
