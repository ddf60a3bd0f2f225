import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createDatabase, migrateToLatest, type Database, type MigrationSource } from '../../src/kernel/db/index.js';
import type { Config } from '../../src/kernel/config/index.js';
import { migratedPglite, postgresTemplate } from './migrated.js';

/**
 * The same tests run on every configured database (STYLE 15). PGlite always; PostgreSQL when
 * TONGBAN_TEST_DATABASES includes `postgres`. Each test file gets a fresh, empty database:
 * an in-memory PGlite, or a new PostgreSQL database created from the server's `test` database.
 */
export type TestDatabaseKind = 'pglite' | 'postgres';

export const testDatabaseKinds: TestDatabaseKind[] = (process.env.TONGBAN_TEST_DATABASES ?? 'pglite')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is TestDatabaseKind => s === 'pglite' || s === 'postgres');

export const postgresAdminUrl = process.env.TONGBAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly kind: TestDatabaseKind;
  readonly database: Database;
  readonly config: Pick<Config, 'database'>;
  /** Drops the database (PostgreSQL) or closes it (PGlite). */
  dispose(): Promise<void>;
}

export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') return pgliteTestDatabase(createDatabase({ database: { kind: 'pglite-memory' } }));
  return postgresTestDatabase();
}

/**
 * A fresh database with `sources` migrated, copied from one migrated once (migrated.ts): what
 * `createTestDatabase` and `migrateToLatest` give, in a second instead of four.
 */
export async function createMigratedTestDatabase(kind: TestDatabaseKind, sources: readonly MigrationSource[]): Promise<TestDatabase> {
  if (kind === 'pglite') return pgliteTestDatabase(await migratedPglite(sources));
  const template = await postgresTemplate(postgresAdminUrl, sources, async (url) => {
    const building = createDatabase({ database: { kind: 'postgres', url, poolSize: 1 } });
    try { await migrateToLatest(building.db, sources); } finally { await building.close(); }
  });
  return postgresTestDatabase(template);
}

function pgliteTestDatabase(database: Database): TestDatabase {
  return { kind: 'pglite', database, config: { database: { kind: 'pglite-memory' } }, dispose: () => database.close() };
}

async function postgresTestDatabase(template?: string): Promise<TestDatabase> {
  const name = `tb_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try { await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`); } finally { await admin.end(); }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const config = { database: { kind: 'postgres', url: url.toString(), poolSize: 5 } } as const;
  const database = createDatabase(config);
  return {
    kind: 'postgres', database, config,
    async dispose() {
      await database.close();
      const drop = new pg.Client({ connectionString: postgresAdminUrl });
      await drop.connect();
      try { await drop.query(`drop database if exists ${name} with (force)`); } finally { await drop.end(); }
    },
  };
}

/**
 * `describe` once per configured database, with a fresh database migrated with `sources`
 * (a copy of one migrated once: createMigratedTestDatabase).
 * Inside, call `use()` in a test to get the database.
 */
export function describeEachDatabase(title: string, sources: readonly MigrationSource[], body: (use: () => TestDatabase) => void): void {
  for (const kind of testDatabaseKinds) {
    describe(`${title} [${kind}]`, () => {
      let current: TestDatabase | undefined;
      beforeAll(async () => {
        current = await createMigratedTestDatabase(kind, sources);
      });
      afterAll(async () => { await current?.dispose(); });
      body(() => {
        if (!current) throw new Error('test database not ready');
        return current;
      });
    });
  }
}
