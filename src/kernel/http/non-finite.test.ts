import { describe, expect, it } from 'vitest';
import { nonFinitePointers } from './non-finite.js';

const pointers = (value: unknown, part: 'query' | 'params' | 'body' = 'body') => nonFinitePointers(value, part).map((p) => p.pointer);

describe('finding numbers that are not finite', () => {
  it('gives each one\'s JSON pointer, escaping ~ and / in names, under the part it came in', () => {
    expect(pointers({ 'a/b': { 'c~d': [1, Infinity] }, ok: 2, low: -Infinity })).toEqual(['/a~1b/c~0d/1', '/low']);
    expect(pointers({ offset: Infinity, limit: 10 }, 'query')).toEqual(['/query/offset']);
    expect(pointers(NaN)).toEqual(['/']);
  });

  it('finds nothing in finite data, text or bytes, and walks a cycle once', () => {
    expect(pointers({ big: 1.5e300, list: [-2, '1e309'], bytes: Buffer.from([1, 2]) })).toEqual([]);
    const looped: Record<string, unknown> = { n: 1, inner: { bad: Infinity } };
    (looped.inner as Record<string, unknown>).back = looped;
    expect(pointers(looped)).toEqual(['/inner/bad']);
    // A link back to the root: the root's own finding is reported once, not again through the link.
    const rooted: Record<string, unknown> = { bad: Infinity, inner: {} };
    (rooted.inner as Record<string, unknown>).back = rooted;
    expect(pointers(rooted)).toEqual(['/bad']);
    const list: unknown[] = [NaN];
    list.push({ back: list });
    expect(pointers(list)).toEqual(['/0']);
  });
});
