import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstCodePoints, nasty, pathValue } from './fuzz-arbitraries.js';

describe('the fuzzing generators', () => {
  it('cut a value to its first code points exactly as spreading it would, surrogate pairs whole', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), nasty), fc.nat(80), (s, n) => {
      expect(firstCodePoints(s, n)).toBe([...s].slice(0, n).join(''));
    }));
    expect(firstCodePoints('𠜎𠜱𠝹', 2)).toBe('𠜎𠜱');
    expect(firstCodePoints('Ω'.repeat(70_000), 16)).toBe('Ω'.repeat(16));
  });

  it('keep a path parameter to 16 code points and never "." or ".."', () => {
    fc.assert(fc.property(pathValue, (v) => {
      expect([...v].length).toBeLessThanOrEqual(36);
      expect(['.', '..']).not.toContain(v);
    }));
    // The hostile values among them are cut to 16 code points.
    expect(fc.sample(pathValue, { numRuns: 500, seed: 1 }).some((v) => [...v].length === 16 && v.startsWith('Ω'))).toBe(true);
  });
});
