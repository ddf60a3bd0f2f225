import { describe, expect, it } from 'vitest';
import { field, single } from './query.js';

describe('field', () => {
  it('reads a field given once as itself, and a repeated one as its first value', () => {
    expect(field({ text: 'typed' }, 'text')).toBe('typed');
    expect(field({ text: ['typed', 'again'] }, 'text')).toBe('typed');
    expect(field({ text: ['', 'again'] }, 'text')).toBe('');
  });

  it('reads a missing or non-text field as not given', () => {
    expect(field({ other: 'x' }, 'text')).toBeUndefined();
    expect(field({ text: [] }, 'text')).toBeUndefined();
    expect(field({ text: [{ nested: true }, 'b'] }, 'text')).toBeUndefined();
    expect(field({ text: 3 }, 'text')).toBeUndefined();
    expect(field(undefined, 'text')).toBeUndefined();
    expect(field('text=x', 'text')).toBeUndefined();
  });
});

describe('single', () => {
  it('reads a repeated query parameter or header as not given', () => {
    expect(single('a')).toBe('a');
    expect(single(['a', 'b'])).toBeUndefined();
    expect(single(undefined)).toBeUndefined();
  });
});
