import { describe, expect, it } from 'vitest';
import { unsafePatterns } from './safe-patterns.js';

describe('patterns a schema may carry', () => {
  it('accepts the patterns of codes and formats', () => {
    const schema = {
      type: 'object',
      properties: {
        idNumber: { type: 'string', pattern: '^[1-9]\\d{16}[\\dX]$' },
        creditCode: { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' },
        email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
      },
      patternProperties: { '^x-[a-z]+$': { type: 'string' } },
    };
    expect(unsafePatterns(schema)).toEqual([]);
  });

  it('refuses a repetition inside a repetition, wherever it is, with its place as a JSON Pointer', () => {
    const schema = {
      properties: {
        name: { type: 'string', pattern: '^(\\w+\\s?)*$' },
        'a/b': { items: [{ pattern: '(a+)+b' }] },
      },
      patternProperties: { '^(x+x+)+y$': {} },
      allOf: [{ if: { properties: { n: { pattern: '^\\d{6}$' } } }, then: { not: { pattern: '^([a-z]*)*$' } } }],
    };
    expect(unsafePatterns(schema, '/schema').map((p) => p.pointer)).toEqual([
      '/schema/allOf/0/then/not/pattern',
      '/schema/patternProperties/^(x+x+)+y$',
      '/schema/properties/a~1b/items/0/pattern',
      '/schema/properties/name/pattern',
    ]);
    expect(unsafePatterns(schema)[0]?.detail).toContain('exponential time');
  });

  it('leaves data alone: a property named pattern, and enum, const, default and examples values', () => {
    const schema = {
      properties: { pattern: { type: 'string' } },
      enum: [{ pattern: '(a+)+' }], const: { pattern: '(a+)+' }, default: { pattern: '(a+)+' }, examples: [{ pattern: '(a+)+' }],
    };
    expect(unsafePatterns(schema)).toEqual([]);
  });

  it('refuses a pattern too long to be a format, and leaves one that does not compile to the schema check', () => {
    expect(unsafePatterns({ pattern: 'a'.repeat(1_001) })[0]?.detail).toContain('longer than 1000');
    expect(unsafePatterns({ pattern: '(' })).toEqual([]);
  });
});
