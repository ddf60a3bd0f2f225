import { describe, expect, it } from 'vitest';
import { field } from './routes-body.js';

describe('a posted form field', () => {
  it('is its value, or the first when it was sent twice (it was taken as not sent: "Enter your answer" with the box emptied)', () => {
    expect(field({ answer: 'Second floor' }, 'answer')).toBe('Second floor');
    expect(field({ answer: ['Second floor', 'ignored'] }, 'answer')).toBe('Second floor');
    expect(field({}, 'answer')).toBeUndefined();
  });
});
