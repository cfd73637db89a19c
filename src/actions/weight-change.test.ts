import { describe, expect, it } from 'vitest';
import { ActionError } from './action-error.js';
import { parseWeight, parseWeightChange, targetWeight } from './weight-change.js';

const badInput = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).kind).toBe('bad-input');
    return (err as ActionError).message;
  }
  throw new Error('expected a bad-input error');
};

describe('weight input', () => {
  it.each(['-1', '70000', 'abc', '1.5', '', ' ', '65536', '0x10', '1e3', '+5'])('refuses %j as a weight', (text) => {
    expect(badInput(() => parseWeight(text))).toMatch(/weight/);
  });

  // -N is a step (lower by N); a weight itself is never negative.
  it.each(['70000', 'abc', '1.5', '', '+', '-0', '--1', '-70000', '+1.5'])('refuses %j as a change', (text) => {
    expect(badInput(() => parseWeightChange(text))).toMatch(/weight/);
  });

  it('accepts 0..65535, steps, drain and restore', () => {
    expect(parseWeight('0')).toBe(0);
    expect(parseWeight(' 65535 ')).toBe(65535);
    expect(parseWeightChange('100')).toEqual({ kind: 'set', weight: 100 });
    expect(parseWeightChange('+5')).toEqual({ kind: 'step', delta: 5 });
    expect(parseWeightChange('-3')).toEqual({ kind: 'step', delta: -3 });
    expect(parseWeightChange('DRAIN')).toEqual({ kind: 'drain' });
    expect(parseWeightChange('restore')).toEqual({ kind: 'restore' });
  });

  it('names the range in its message', () => {
    expect(badInput(() => parseWeight('70000'))).toBe('weight "70000": expected an integer from 0 to 65535');
  });
});

describe('targetWeight', () => {
  it('steps within range and refuses to leave it rather than clamp', () => {
    expect(targetWeight({ kind: 'step', delta: 2 }, 1, undefined, 'row')).toBe(3);
    expect(badInput(() => targetWeight({ kind: 'step', delta: -2 }, 1, undefined, 'row'))).toMatch(/-1 is outside/);
    expect(badInput(() => targetWeight({ kind: 'step', delta: 1 }, 65535, undefined, 'row'))).toMatch(/65536/);
  });

  it('drains to 0 and restores the remembered weight, refusing when there is none', () => {
    expect(targetWeight({ kind: 'drain' }, 7, undefined, 'row')).toBe(0);
    expect(targetWeight({ kind: 'restore' }, 0, 7, 'row')).toBe(7);
    expect(badInput(() => targetWeight({ kind: 'restore' }, 0, undefined, 'row'))).toMatch(/no weight remembered/);
  });
});
