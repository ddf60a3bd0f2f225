import { describe, expect, it } from 'vitest';
import { personsIn } from './ids.js';

describe('the people an event names', () => {
  it('finds each resident identity number among the string values, once, in the order met', () => {
    const event = { registrationNo: 'J110101-2026-000123', spouses: ['110101199003072359', { id: '11010119920515002X' }], again: '110101199003072359', count: 110101199003 };
    expect(personsIn(event)).toEqual(['110101199003072359', '11010119920515002X']);
  });

  it('takes only whole values: a number inside a longer text, a number value or a short one is not a person', () => {
    expect(personsIn({ note: 'see 110101199003072359', short: '1101011990', zero: '010101199003072359' })).toEqual([]);
    expect(personsIn(null)).toEqual([]);
  });

  it('walks an event nested far deeper than the call stack would allow', () => {
    let deep: unknown = '110101199003072359';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(personsIn(deep)).toEqual(['110101199003072359']);
  });
});
