import { describe, expect, it } from 'vitest';
import { uuidv7 } from './uuid7.js';

const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('pooled UUIDv7', () => {
  it('has the RFC 9562 version 7 layout, the time in its first 48 bits', () => {
    const at = Date.UTC(2026, 11, 3, 15, 0, 0, 123);
    const id = uuidv7(at + 60_000);
    expect(id).toMatch(SHAPE);
    expect(msOf(id)).toBe(at + 60_000);
  });

  it('makes distinct ids that sort in the order they were made, also within one millisecond', () => {
    const at = Date.UTC(2027, 0, 1);
    const ids = Array.from({ length: 3_000 }, () => uuidv7(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(SHAPE);
  });

  it('borrows the next millisecond when one millisecond runs out of counter, and never goes back with the clock', () => {
    const at = Date.UTC(2027, 0, 2);
    const ids = Array.from({ length: 5_000 }, () => uuidv7(at));
    expect(msOf(ids.at(-1) ?? '')).toBe(at + 1);
    const earlier = uuidv7(at - 10_000);
    expect(earlier > (ids.at(-1) ?? '')).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs in its random bits between ids', () => {
    const tails = new Set(Array.from({ length: 1_000 }, () => uuidv7().slice(19)));
    expect(tails.size).toBe(1_000);
  });
});
