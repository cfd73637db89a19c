import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../config/load-config.js';
import { configOf } from '../../test/support/fixture-store.js';
import { unknownKeyCommands } from './load.js';

const resolvedWithKeys = (keys: Record<string, string[]>) =>
  ({
    config: configOf({ hosts: { d1: {} }, clusters: [{ name: 'c', mode: 'nat', directors: [{ host: 'd1' }] }], keys }),
  }) as ResolvedConfig;

describe('config keys', () => {
  it('names each key override whose command id the console does not have', () => {
    expect(unknownKeyCommands(resolvedWithKeys({ down: ['x'], drain: ['D'], 'view-3': ['v'] }))).toEqual([]);
    const problems = unknownKeyCommands(resolvedWithKeys({ dwon: ['x'], down: ['j'] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^keys\.dwon: unknown command \(one of help, command-line, .*quit\)$/);
  });
});
