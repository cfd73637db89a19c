import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runOne, TARGETS } from '../../bench/fuzz-targets.js';

/**
 * A bounded fuzz run of every parser on every `npm test`: mutated captures, random text and hostile shapes, with a
 * fixed seed so a failure reproduces. The long run (bench/fuzz-long.ts) does 100,000 inputs per parser and times them.
 */
const RUNS = 1000;

describe('parsers under fuzzing: no throw, no invalid value accepted', () => {
  it('covers every parser', () => expect(TARGETS.length).toBeGreaterThanOrEqual(30));

  it.each(TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    fc.assert(
      fc.property(target.inputs, (input) => {
        const r = runOne(target, input);
        if (r.threw !== undefined) throw new Error(`threw: ${String((r.threw as Error)?.stack ?? r.threw)}`);
        if (r.invalid !== undefined) throw new Error(`accepted an invalid value: ${r.invalid}`);
      }),
      { numRuns: RUNS, seed: 20261122, endOnFailure: true },
    );
  });
});
