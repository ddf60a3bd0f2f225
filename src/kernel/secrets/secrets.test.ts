import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { loadConfig } from '../config/index.js';
import { createDatabase } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import { getOrCreateSecret, resolveSecret, secretsMigrations } from './index.js';

describeEachDatabase('secret store', [secretsMigrations], (use) => {
  it('generates a secret once and returns the stored one afterwards', async () => {
    const { db } = use().database;
    let calls = 0;
    const generate = () => `value-${++calls}`;
    expect(await getOrCreateSecret(db, 'one', generate)).toBe('value-1');
    expect(await getOrCreateSecret(db, 'one', generate)).toBe('value-1');
    expect(calls).toBe(1);
    expect(await getOrCreateSecret(db, 'two', generate)).toBe('value-2');
  });

  it('gives every racing instance the same secret', async () => {
    const test = use();
    // On PostgreSQL a second connection pool is a second instance; PGlite has one process only.
    const other = test.kind === 'postgres' ? createDatabase(test.config) : undefined;
    try {
      const dbs = [test.database.db, other?.db ?? test.database.db];
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => getOrCreateSecret(dbs[i % 2]!, 'raced', () => `candidate-${i}`)));
      expect(new Set(values).size).toBe(1);
      expect(values[0]).toMatch(/^candidate-\d+$/);
    } finally {
      await other?.close();
    }
  });

  it('prefers a configured secret, stores one in development, refuses to in production', async () => {
    const { db } = use().database;
    const configured = loadConfig({ NODE_ENV: 'test', TONGBAN_SESSION_SECRET: 'c'.repeat(32) });
    expect(await resolveSecret(db, configured, 'sessionSecret', () => 'generated')).toEqual({ value: 'c'.repeat(32), source: 'config' });
    const bare = loadConfig({ NODE_ENV: 'development' });
    expect(await resolveSecret(db, bare, 'sessionSecret', () => 'generated')).toEqual({ value: 'generated', source: 'store' });
    // Even with a stored value present, configuration wins.
    expect((await resolveSecret(db, configured, 'sessionSecret', () => 'other')).value).toBe('c'.repeat(32));
    const production = { env: 'production', secrets: {} } as const;
    const refused = await resolveSecret(db, production, 'sessionSecret', () => 'generated').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TongbanError);
    expect((refused as TongbanError).code).toBe('TB_SECRETS_REQUIRED');
  });
});
