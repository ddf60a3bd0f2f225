import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl, testDatabaseKinds } from '../../../test/helpers/databases.js';
import { loadConfig } from '../config/index.js';
import { createDatabase, type Database } from './index.js';
import { poolOptions } from './connect.js';

describe('PostgreSQL pool options', () => {
  const settings = { kind: 'postgres', url: 'postgres://u@db/tongban', poolSize: 7, queryTimeoutMs: 30_000 } as const;

  it('keeps TCP connections alive, and limits statements only for the server\'s pools', () => {
    const served = poolOptions(settings, { statementTimeouts: true });
    expect(served).toMatchObject({ max: 7, connectionTimeoutMillis: 5000, keepAlive: true, keepAliveInitialDelayMillis: 10_000, statement_timeout: 30_000, query_timeout: 35_000 });
    // The CLI (migrations, seed --persons, import, backup) runs long statements: no limit.
    const cli = poolOptions(settings);
    expect(cli).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    expect(cli).not.toHaveProperty('statement_timeout');
    expect(cli).not.toHaveProperty('query_timeout');
    // DATABASE_QUERY_TIMEOUT_MS=0: no limit.
    expect(poolOptions({ ...settings, queryTimeoutMs: 0 }, { statementTimeouts: true })).not.toHaveProperty('statement_timeout');
  });

  it('reads DATABASE_QUERY_TIMEOUT_MS, 30 s by default', () => {
    const at = (env: Record<string, string>) => loadConfig({ DATABASE_URL: 'postgres://u@db/tongban', ...env }).database;
    expect(at({})).toMatchObject({ queryTimeoutMs: 30_000 });
    expect(at({ DATABASE_QUERY_TIMEOUT_MS: '0' })).toMatchObject({ queryTimeoutMs: 0 });
    expect(() => at({ DATABASE_QUERY_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_QUERY_TIMEOUT_MS: /);
  });
});

// PGlite runs in the process: it has no pool, no network and no statement timeout.
for (const kind of testDatabaseKinds.filter((k) => k === 'postgres')) describe(`statement timeout [${kind}]`, () => {
  let served: Database;
  let cli: Database;
  beforeAll(() => {
    const config = { database: { kind: 'postgres', url: postgresAdminUrl, poolSize: 2, queryTimeoutMs: 300 } } as const;
    served = createDatabase(config, { statementTimeouts: true });
    cli = createDatabase(config);
  });
  afterAll(async () => { await served.close(); await cli.close(); });

  it('cuts a statement of the server\'s pool at the limit, and leaves the connection usable', async () => {
    const started = Date.now();
    await expect(sql`select pg_sleep(3)`.execute(served.db)).rejects.toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await sql<{ one: number }>`select 1 as one`.execute(served.db)).rows).toEqual([{ one: 1 }]);
  });

  it('lets the command line\'s long statements run', async () => {
    await expect(sql`select pg_sleep(0.6)`.execute(cli.db)).resolves.toBeDefined();
  });
});
