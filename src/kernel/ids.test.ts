import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId: pooled UUIDv7', () => {
  it('makes valid, distinct version 7 ids that sort in the order they were made, across pool refills', () => {
    const ids = Array.from({ length: 2_000 }, () => newId());
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('puts the current time in the first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('does not repeat random bits between ids (each takes its own 16 bytes of the pool)', () => {
    const tails = Array.from({ length: 600 }, () => newId().slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
