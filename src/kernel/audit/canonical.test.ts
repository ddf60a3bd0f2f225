import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, leaves out undefined properties, writes dates in UTC and absent values as null', () => {
    const value = {
      z: [3, 'x', null, undefined, { b: 1, a: [] }], a: { y: true, x: undefined, 'é': 'ü"' }, at: new Date(Date.UTC(2026, 11, 3, 12, 0, 0, 5)), empty: {}, n: -0.5,
    };
    expect(canonicalJson(value)).toBe('{"a":{"y":true,"é":"ü\\""},"at":"2026-12-03T12:00:00.005Z","empty":{},"n":-0.5,"z":[3,"x",null,null,{"a":[],"b":1}]}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('gives the same text whatever order properties were built in', () => {
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: 1 })).toBe(canonicalJson({ a: 1, b: { c: 2, d: 1 } }));
  });

  it('refuses numbers that JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
  });
});
