import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import pg from 'pg';
import { migrateToLatest, type Database, type MigrationSource, type NoTables } from '../../src/kernel/db/index.js';
import { PGliteDialect } from '../../src/kernel/db/pglite-driver.js';

/**
 * Migrated databases for tests, made once and copied. Running every migration takes about 4 s on
 * PGlite and 1 s on PostgreSQL, and about 150 test files start from a migrated database on each:
 * on CI's two cores that was a tenth of the suite. A copy takes about a second on PGlite (a
 * data-directory dump, loaded into a new in-memory instance) and a fraction of one on PostgreSQL
 * (`create database … template`).
 *
 * A copy is keyed by the migrations' own text (sources, file names and contents), so changing a
 * migration makes a new one; no migration writes rows (test/conventions/migrations.test.ts keeps
 * it so), so a copy made earlier holds nothing a fresh migration would not. Tests of migrating
 * itself (up, down, drift) use `createTestDatabase` and migrate for real.
 */

/** Where PGlite dumps are kept between test files and runs: under node_modules, never committed. */
const CACHE = join(process.cwd(), 'node_modules', '.cache', 'tongban-tests');

export function migrationsKey(sources: readonly MigrationSource[]): string {
  const hash = createHash('sha256');
  for (const source of sources) {
    hash.update(`${source.name}\0`);
    for (const file of readdirSync(source.folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
      hash.update(`${file}\0`);
      hash.update(readFileSync(join(source.folder, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function pgliteDatabase(open: () => Promise<PGlite>): Database {
  const db = new Kysely<NoTables>({ dialect: new PGliteDialect(open) });
  return { db, kind: 'pglite-memory', close: () => db.destroy() };
}

/**
 * A new in-memory PGlite with `sources` migrated. The first caller for a key migrates a fresh
 * instance and dumps it (written to a temporary name, then renamed: two workers racing both
 * write a whole file); later callers load the dump.
 */
export async function migratedPglite(sources: readonly MigrationSource[]): Promise<Database> {
  const file = join(CACHE, `pglite-${migrationsKey(sources)}.tar`);
  if (existsSync(file)) {
    const dump = new Blob([readFileSync(file)]);
    return pgliteDatabase(() => PGlite.create({ loadDataDir: dump }));
  }
  const pglite = await PGlite.create();
  const database = pgliteDatabase(() => Promise.resolve(pglite));
  await migrateToLatest(database.db, sources);
  const dump = await pglite.dumpDataDir('none');
  mkdirSync(CACHE, { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return database;
}

/**
 * The name of a PostgreSQL template database with `sources` migrated, made on first use. An
 * advisory lock makes concurrent workers wait for the one that builds it; it is built under
 * another name and renamed, so a half-migrated template is never copied.
 */
export async function postgresTemplate(adminUrl: string, sources: readonly MigrationSource[], migrate: (url: string) => Promise<void>): Promise<string> {
  const key = migrationsKey(sources);
  const name = `tb_template_${key}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [lockId(key)]);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      const building = `${name}_building`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const url = new URL(adminUrl);
      url.pathname = `/${building}`;
      await migrate(url.toString());
      await admin.query(`alter database ${building} rename to ${name}`);
      await admin.query(`alter database ${name} is_template true`);
    }
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [lockId(key)]).catch(() => undefined);
    await admin.end();
  }
  return name;
}

/** A 63-bit advisory lock id from the key (hex), so different migration sets do not wait on each other. */
function lockId(key: string): string {
  return BigInt.asIntN(64, BigInt(`0x${key}`)).toString();
}
