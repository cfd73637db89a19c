import { describe, expect, it } from 'vitest';
import { checkReasonOptions } from './headless-action.js';

const opts = (o: { reason?: string; force?: boolean }) => ({ config: 'x', ...o });

describe('headless --reason and --force', () => {
  it('is bad input without a reason when the config requires one (an undo may inherit it)', () => {
    expect(() => checkReasonOptions(true, opts({}), false)).toThrow(/a reason is required/);
    expect(() => checkReasonOptions(true, opts({ reason: 'patching' }), false)).not.toThrow();
    expect(() => checkReasonOptions(true, opts({}), true)).not.toThrow();
    expect(() => checkReasonOptions(false, opts({}), false)).not.toThrow();
  });

  it('refuses a reason with control characters, and --force without a reason', () => {
    expect(() => checkReasonOptions(false, opts({ reason: 'a\u0007b' }), false)).toThrow(
      expect.objectContaining({ kind: 'bad-input' }),
    );
    expect(() => checkReasonOptions(false, opts({ force: true }), false)).toThrow(/--force needs --reason/);
    expect(() => checkReasonOptions(false, opts({ force: true, reason: 'real2 down' }), false)).not.toThrow();
  });
});
