import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { TestSpecification } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import { FAMILY_SHARDED_FILES, longRunOptions, longRunProcesses } from '../helpers/long-options.js';
import { familiesOf, parseFuzzSeed, parseFuzzShard, shardNote } from '../helpers/scale.js';
import { FamilyShardSequencer } from './sequencer.js';

describe('test:long options (test/long/run.ts)', () => {
  it('runs both databases, one process each, unless told otherwise; vitest arguments follow --', () => {
    expect(longRunOptions([], {})).toEqual({ databases: ['pglite', 'postgres'], shards: 1, vitestArgs: [] });
    expect(longRunOptions([], { TONGBAN_TEST_DATABASES: 'pglite' }).databases).toEqual(['pglite']);
    expect(longRunOptions(['--databases', 'postgres', '--shards', '3', '--', 'test/security/form-fuzz.test.ts', '--bail=1']))
      .toEqual({ databases: ['postgres'], shards: 3, vitestArgs: ['test/security/form-fuzz.test.ts', '--bail=1'] });
  });

  it('refuses an unknown database or a shard count that is not a whole number of at least 1', () => {
    expect(() => longRunOptions(['--databases', 'mysql'])).toThrow(/unknown database mysql/);
    expect(() => longRunOptions(['--shards', '0'])).toThrow(/--shards/);
    expect(() => longRunOptions(['--shards', '1.5'])).toThrow(/--shards/);
  });

  it('starts one full-size vitest per database, or per database N with a file shard and the same family shard', () => {
    const whole = longRunProcesses(longRunOptions(['--', 'test/x.test.ts'], {}), 1, { PATH: '/bin', TONGBAN_FUZZ_SHARD: '2/2' });
    expect(whole.map((p) => [p.label, p.args])).toEqual([['pglite', ['--maxWorkers=1', 'test/x.test.ts']], ['postgres', ['--maxWorkers=1', 'test/x.test.ts']]]);
    // One process per database runs every family, whatever the parent's environment says.
    expect(whole[0]?.env).toEqual({ PATH: '/bin', TONGBAN_TEST_LONG: '1', TONGBAN_TEST_DATABASES: 'pglite' });

    const split = longRunProcesses(longRunOptions(['--databases', 'postgres', '--shards', '3'], {}), 2, {});
    expect(split.map((p) => p.label)).toEqual(['postgres 1/3', 'postgres 2/3', 'postgres 3/3']);
    expect(split.map((p) => p.env.TONGBAN_FUZZ_SHARD)).toEqual(['1/3', '2/3', '3/3']);
    expect(split.every((p) => p.env.TONGBAN_TEST_LONG === '1' && p.env.TONGBAN_TEST_DATABASES === 'postgres')).toBe(true);
    expect(split[1]?.args).toEqual(['--config=test/long/vitest.config.ts', '--maxWorkers=2', '--shard=2/3', '--passWithNoTests']);
  });
});

describe('the fuzzing files\' family shards (TONGBAN_FUZZ_SHARD, test/helpers/scale.ts)', () => {
  it('reads i/N with 1 ≤ i ≤ N; unset is the one shard of all families', () => {
    expect(parseFuzzShard(undefined)).toEqual({ index: 1, count: 1 });
    expect(parseFuzzShard('')).toEqual({ index: 1, count: 1 });
    expect(parseFuzzShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const wrong of ['0/2', '3/2', '1/0', '1', '1/2/3', 'a/b', '-1/2', '1.5/2']) expect(() => parseFuzzShard(wrong), wrong).toThrow(/TONGBAN_FUZZ_SHARD/);
    expect(shardNote(40, 120, { index: 2, count: 3 })).toBe('family shard 2/3: 40 of 120 families');
  });

  it('reads a fixed seed for a measurement (TONGBAN_FUZZ_SEED) as a whole number; unset is a fresh seed each run', () => {
    expect(parseFuzzSeed(undefined)).toBeUndefined();
    expect(parseFuzzSeed(' ')).toBeUndefined();
    expect(parseFuzzSeed('0')).toBe(0);
    expect(parseFuzzSeed('20261204')).toBe(20261204);
    expect(parseFuzzSeed('-7')).toBe(-7);
    for (const wrong of ['x', '1.5', '1e400', '42abc']) expect(() => parseFuzzSeed(wrong), wrong).toThrow(/TONGBAN_FUZZ_SEED/);
  });

  it('puts every family in exactly one shard, whatever the order it is found in, shards differing by at most one', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 150 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (names, count, seed) => {
      const shuffled = fc.sample(fc.shuffledSubarray(names, { minLength: names.length }), { numRuns: 1, seed })[0] ?? [];
      const shards = Array.from({ length: count }, (_, i) => familiesOf(names, (n) => n, { index: i + 1, count }));
      expect(shards.flat().sort()).toEqual([...names].sort());
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // Found in another order (another process's walk), a family lands in the same shard.
      expect(Array.from({ length: count }, (_, i) => familiesOf(shuffled, (n) => n, { index: i + 1, count }))).toEqual(shards);
    }));
    expect(familiesOf(['b', 'a', 'd', 'c', 'e'], (n) => n, { index: 2, count: 2 })).toEqual(['b', 'd']);
  });

  it('lists exactly the test files that split their families (familiesOf), so each of them runs in every shard', () => {
    const root = new URL('../../', import.meta.url);
    const splitting = readdirSync(new URL('test/security/', root)).filter((name) => name.endsWith('.test.ts')).map((name) => `test/security/${name}`)
      .filter((path) => /\bfamiliesOf\(/.test(readFileSync(new URL(path, root), 'utf8')));
    expect([...FAMILY_SHARDED_FILES].sort()).toEqual(splitting.sort());
    expect(FAMILY_SHARDED_FILES).toEqual(['test/security/fuzz.test.ts', 'test/security/form-fuzz.test.ts', 'test/security/govstack-upload-fuzz.test.ts']);
  });

  it('gives the family-sharded files to every file shard and splits the others as vitest does', async () => {
    const root = '/repo';
    const others = Array.from({ length: 7 }, (_, i) => `test/t${i}.test.ts`);
    const specs = [...FAMILY_SHARDED_FILES, ...others].map((path) => ({ moduleId: `${root}/${path}` }) as TestSpecification);
    const count = 3;
    const shards = await Promise.all(Array.from({ length: count }, async (_, i) => {
      const sequencer = new FamilyShardSequencer({ config: { root, shard: { index: i + 1, count } } } as unknown as ConstructorParameters<typeof FamilyShardSequencer>[0]);
      return (await sequencer.shard(specs)).map((spec) => spec.moduleId.slice(root.length + 1));
    }));
    for (const shard of shards) expect(shard.filter((path) => FAMILY_SHARDED_FILES.includes(path))).toEqual([...FAMILY_SHARDED_FILES]);
    expect(shards.flatMap((shard) => shard.filter((path) => !FAMILY_SHARDED_FILES.includes(path))).sort()).toEqual([...others].sort());
    expect(shards.every((shard) => shard.length > FAMILY_SHARDED_FILES.length)).toBe(true);
  });
});
