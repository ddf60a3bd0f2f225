import { describe, expect, it } from 'vitest';
import { checkFocusedOrSkipped } from './checks/focused-tests.js';
import { isTest, readSources, report } from './checks/tree.js';

describe('tests', () => {
  it('are never skipped, focused or left to do', () => {
    const violations = checkFocusedOrSkipped(readSources(['src', 'test', 'demo', 'bin', 'bench']).filter((f) => isTest(f.path)));
    expect(violations, report('Skipped or focused tests', violations)).toEqual([]);
  });

  it('fails on skip, only, todo, conditional runs and x/f aliases', () => {
    const text = [
      "it.skip('a', () => {});",
      "describe.only('b', () => {});",
      "test.todo('c');",
      "it.skipIf(true)('d', () => {});",
      "describe.each([1])('e %s', () => {});",
      "describe.each([1]).skip('f', () => {});",
      "it.concurrent.only('g', () => {});",
      "xit('h', () => {});",
      "it('runs', () => { expect('it.skip').toBe('it.skip'); });",
    ].join('\n');
    expect(checkFocusedOrSkipped([{ path: 'src/x.test.ts', text }])).toEqual([
      'src/x.test.ts:1 uses it.skip; every test runs (no skip, only, todo or conditional runs)',
      'src/x.test.ts:2 uses describe.only; every test runs (no skip, only, todo or conditional runs)',
      'src/x.test.ts:3 uses test.todo; every test runs (no skip, only, todo or conditional runs)',
      'src/x.test.ts:4 uses it.skipIf; every test runs (no skip, only, todo or conditional runs)',
      'src/x.test.ts:6 uses describe.skip; every test runs (no skip, only, todo or conditional runs)',
      'src/x.test.ts:7 uses it.only; every test runs (no skip, only, todo or conditional runs)',
      'src/x.test.ts:8 uses xit; every test runs (no skip, only, todo or conditional runs)',
    ]);
  });
});
