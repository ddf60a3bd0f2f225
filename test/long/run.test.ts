import { describe, expect, it } from 'vitest';
import { longRunOptions } from '../helpers/long-options.js';

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
});
