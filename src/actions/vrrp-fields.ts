import type { ActionChange } from './action-types.js';
import { changeKey } from './audit-log.js';
import { MAX_PRIORITY, type VrrpForcePlan, type VrrpSide } from './vrrp-force.js';

const held = (yes: boolean) => (yes ? 'held' : 'not held');

/**
 * What a failover or release changes: the track files written, each director's state, effective priority and
 * whether it holds the VIP. Values that cannot be predicted are left out (never checked).
 */
export function vrrpChanges(instance: string, sides: readonly VrrpSide[], force: VrrpForcePlan): ActionChange[] {
  const out: ActionChange[] = force.writes.map((w) => ({
    host: w.host,
    target: w.path,
    field: 'track file',
    before: String(w.before),
    after: String(w.value),
  }));
  for (const side of sides) {
    if (side.problem || side.state === undefined) continue;
    const shift = force.writes
      .filter((w) => w.host === side.host && w.kind === 'priority')
      .reduce((n, w) => n + w.value - w.before, 0);
    const eff = side.effectivePriority ?? 0;
    const expected = force.expect.states[side.host];
    if (expected) out.push({ host: side.host, target: instance, field: 'state', before: side.state, after: expected });
    out.push({
      host: side.host,
      target: instance,
      field: 'effective priority',
      before: String(eff),
      after: String(Math.max(1, Math.min(MAX_PRIORITY, eff + shift))),
    });
    if (force.expect.master)
      out.push({
        host: side.host,
        target: instance,
        field: 'VIP',
        before: held(side.holdsVip),
        after: held(side.host === force.expect.master),
      });
  }
  return out;
}

/** The same values read live; a director that cannot be read gives `unknown`. */
export function vrrpLiveValues(changes: readonly ActionChange[], sides: readonly VrrpSide[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of changes) {
    const side = sides.find((s) => s.host === c.host);
    let value: string | undefined;
    if (c.field === 'track file') {
      const file = Object.values(side?.files ?? {}).find((f) => f?.path === c.target);
      value = file && !side?.problem?.startsWith('unreachable') ? String(file.value) : undefined;
    } else if (side && !side.problem) {
      if (c.field === 'state') value = side.state;
      else if (c.field === 'effective priority') value = String(side.effectivePriority);
      else if (c.field === 'VIP') value = held(side.holdsVip);
    }
    out[changeKey(c)] = value ?? 'unknown';
  }
  return out;
}
