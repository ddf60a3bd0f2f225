import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDS_PER_STATEMENT, inChunks } from './chunks.js';

describe('inChunks', () => {
  it('yields every item once, in order, in slices of at most the size (all full but the last)', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (items, size) => {
      const chunks = [...inChunks(items, size)];
      expect(chunks.flat()).toEqual(items);
      expect(chunks.every((c) => c.length >= 1 && c.length <= size)).toBe(true);
      expect(chunks.slice(0, -1).every((c) => c.length === size)).toBe(true);
      expect(chunks).toHaveLength(Math.ceil(items.length / size));
    }));
  });

  it("reads a statement's worth of ids at a time by default, and refuses a size that would never end", () => {
    const ids = Array.from({ length: IDS_PER_STATEMENT * 2 + 1 }, (_, i) => String(i));
    expect([...inChunks(ids)].map((c) => c.length)).toEqual([IDS_PER_STATEMENT, IDS_PER_STATEMENT, 1]);
    expect(() => [...inChunks(ids, 0)]).toThrow(RangeError);
    expect(() => [...inChunks(ids, 1.5)]).toThrow(RangeError);
  });
});
