import { badInput } from './action-error.js';

export const MAX_WEIGHT = 65535;

/** What the operator asked for a real server's weight. */
export type WeightChange =
  | { readonly kind: 'set'; readonly weight: number }
  | { readonly kind: 'step'; readonly delta: number }
  | { readonly kind: 'drain' }
  | { readonly kind: 'restore' };

/** A weight as the console asks for it: exact, one step, drain to 0, or back to the weight before the drain. */
export type WeightValue = number | '+1' | '-1' | 'drain' | 'restore';

export function weightChangeOf(value: WeightValue): WeightChange {
  if (value === 'drain') return { kind: 'drain' };
  if (value === 'restore') return { kind: 'restore' };
  if (value === '+1' || value === '-1') return { kind: 'step', delta: value === '+1' ? 1 : -1 };
  return { kind: 'set', weight: value };
}

/** What the console's WeightValue can say of a parsed change: an exact weight, one step, drain or restore. */
export function weightValueOf(change: WeightChange): WeightValue {
  if (change.kind === 'set') return change.weight;
  if (change.kind === 'step') {
    if (Math.abs(change.delta) !== 1) throw new Error(`weight step ${change.delta}: the console steps by +1 or -1`);
    return change.delta > 0 ? '+1' : '-1';
  }
  return change.kind;
}

/** A weight as typed: an integer 0..65535, nothing else ("1.5", "-1", "", "0x10", "1e3" are refused). */
export function parseWeight(text: string): number {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t) || Number(t) > MAX_WEIGHT)
    throw badInput(`weight "${text}": expected an integer from 0 to ${MAX_WEIGHT}`);
  return Number(t);
}

/** Parse `N`, `+N`, `-N`, `drain` or `restore` (the weight argument of the headless command). */
export function parseWeightChange(text: string): WeightChange {
  const t = text.trim().toLowerCase();
  if (t === 'drain') return { kind: 'drain' };
  if (t === 'restore') return { kind: 'restore' };
  const step = /^([+-])(\d{1,5})$/.exec(t);
  if (step) {
    const n = Number(step[2]);
    if (n === 0 || n > MAX_WEIGHT)
      throw badInput(`weight step "${text}": expected +N or -N with N from 1 to ${MAX_WEIGHT}`);
    return { kind: 'step', delta: step[1] === '-' ? -n : n };
  }
  if (t.startsWith('-'))
    throw badInput(`weight "${text}": expected an integer from 0 to ${MAX_WEIGHT} (or +N/-N to step, drain, restore)`);
  return { kind: 'set', weight: parseWeight(t) };
}

export function describeWeightChange(change: WeightChange): string {
  switch (change.kind) {
    case 'set':
      return `set weight ${change.weight}`;
    case 'step':
      return `${change.delta > 0 ? 'raise' : 'lower'} weight by ${Math.abs(change.delta)}`;
    case 'drain':
      return 'drain (weight 0)';
    case 'restore':
      return 'restore the weight from before the drain';
  }
}

/**
 * The weight a row gets. `remembered` is the weight saved when the row was drained. A step that leaves 0..65535 is
 * refused rather than clamped, so the operator never gets a value they did not see.
 */
export function targetWeight(
  change: WeightChange,
  current: number,
  remembered: number | undefined,
  row: string,
): number {
  switch (change.kind) {
    case 'set':
      return change.weight;
    case 'drain':
      return 0;
    case 'restore':
      if (remembered === undefined)
        throw badInput(`${row}: no weight remembered from a drain; set a value instead (e.g. weight 1)`);
      return remembered;
    case 'step': {
      const next = current + change.delta;
      if (next < 0 || next > MAX_WEIGHT)
        throw badInput(
          `${row}: weight ${current} ${change.delta > 0 ? '+' : '-'} ${Math.abs(change.delta)} = ${next} is outside 0..${MAX_WEIGHT}`,
        );
      return next;
    }
  }
}
