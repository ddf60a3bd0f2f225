import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './connect.js';

/** One history of migrations: the kernel's own, or one module's (its `migrations/` folder). */
export interface MigrationSource {
  readonly name: string;
  readonly folder: string;
}

export const MIGRATION_FILE = /^\d{4}_[a-z0-9]+(?:-[a-z0-9]+)*\.ts$/;

/** Loads `0001_create-things.ts` style files; anything else in the folder is an error. */
class FolderProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      if (!MIGRATION_FILE.test(file)) throw new Error(`Misnamed migration ${join(this.folder, file)}: use 0001_verb-noun.ts`);
      const mod = (await import(pathToFileURL(join(this.folder, file)).href)) as Partial<Migration>;
      if (typeof mod.up !== 'function') throw new Error(`Migration ${file} exports no up()`);
      migrations[file.replace(/\.ts$/, '')] = mod as Migration;
    }
    return migrations;
  }
}

function migratorFor(db: Db, source: MigrationSource): Migrator {
  return new Migrator({
    db,
    provider: new FolderProvider(source.folder),
    migrationTableName: `tb_migrations_${source.name}`,
    migrationLockTableName: `tb_migrations_${source.name}_lock`,
  });
}

function check(source: MigrationSource, result: MigrationResultSet): void {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`Migration of ${source.name} failed${failed ? ` at ${failed.migrationName}` : ''}`, { cause: result.error });
  }
}

/** The migrations this build knows, per folder: read once per process (the files do not change). */
const known = new Map<string, Promise<string[]>>();
function knownNames(source: MigrationSource): Promise<string[]> {
  let names = known.get(source.folder);
  if (!names) {
    names = new FolderProvider(source.folder).getMigrations().then((m) => Object.keys(m));
    names.catch(() => known.delete(source.folder));
    known.set(source.folder, names);
  }
  return names;
}

const tableOf = (source: MigrationSource) => `tb_migrations_${source.name}`;
const isUndefinedTable = (error: unknown) => (error as { code?: unknown } | null)?.code === '42P01';

/** `source/name` of every executed migration, in one statement over the histories' tables. */
async function executedNames(db: Db, sources: readonly MigrationSource[]): Promise<Set<string>> {
  const read = async (present: readonly MigrationSource[]) => {
    if (present.length === 0) return new Set<string>();
    const union = sql.join(present.map((s) => sql`select ${s.name}::text as source, name from ${sql.table(tableOf(s))}`), sql` union all `);
    const { rows } = await sql<{ source: string; name: string }>`${union}`.execute(db);
    return new Set(rows.map((r) => `${r.source}/${r.name}`));
  };
  try {
    return await read(sources);
  } catch (error) {
    // A history never migrated has no table yet (a new database, a new module): read the others.
    if (!isUndefinedTable(error)) throw error;
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db);
    const tables = new Set(rows.map((r) => r.name));
    return read(sources.filter((s) => tables.has(tableOf(s))));
  }
}

/**
 * How the database stands against this build: migrations of this build not run yet (`pending`),
 * and migrations run that this build does not know (`unknown`: a newer Tongban migrated it).
 * One statement once every history exists, so `/readyz` can ask it on every probe.
 */
export async function migrationDrift(db: Db, sources: readonly MigrationSource[]): Promise<{ pending: string[]; unknown: string[] }> {
  const executed = await executedNames(db, sources);
  const mine = new Set<string>();
  for (const source of sources) for (const name of await knownNames(source)) mine.add(`${source.name}/${name}`);
  return { pending: [...mine].filter((m) => !executed.has(m)), unknown: [...executed].filter((m) => !mine.has(m)).sort() };
}

/** What an older build says of a database a newer one migrated (it cannot run its migrations). */
export function newerDatabaseMessage(unknown: readonly string[]): string {
  return `The database was migrated by a newer Tongban (${unknown.join(', ')}): run that version, or undo those migrations with it (\`tongban migrate down --module <name>\`, newest first) before starting this one`;
}

export class DatabaseAheadError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(newerDatabaseMessage(unknown));
    this.name = 'DatabaseAheadError';
  }
}

/**
 * Brings every history up to date, in the order given (kernel first). A database that a newer
 * build migrated (a migration it ran is unknown here) is refused before anything runs: Kysely
 * would stop on it with "corrupted migrations".
 */
export async function migrateToLatest(db: Db, sources: readonly MigrationSource[]): Promise<string[]> {
  const { unknown } = await migrationDrift(db, sources);
  if (unknown.length > 0) throw new DatabaseAheadError(unknown);
  const applied: string[] = [];
  for (const source of sources) {
    const result = await migratorFor(db, source).migrateToLatest();
    check(source, result);
    for (const r of result.results ?? []) applied.push(`${source.name}/${r.migrationName}`);
  }
  return applied;
}

/**
 * Undoes the newest migration of one history; undefined when none has run. Kysely skips a
 * migration without down() and reports it NotExecuted, still applied: that is an error here.
 */
export async function migrateDown(db: Db, source: MigrationSource): Promise<string | undefined> {
  const result = await migratorFor(db, source).migrateDown();
  check(source, result);
  const newest = result.results?.[0];
  if (newest && newest.status !== 'Success') {
    throw new Error(`${source.name}/${newest.migrationName} cannot be undone: it has no down() (it stays applied)`);
  }
  return newest?.migrationName;
}

export interface MigrationStatus { source: string; name: string; executedAt: Date | undefined }

export async function migrationStatus(db: Db, sources: readonly MigrationSource[]): Promise<MigrationStatus[]> {
  const out: MigrationStatus[] = [];
  for (const source of sources) {
    for (const m of await migratorFor(db, source).getMigrations()) {
      out.push({ source: source.name, name: m.name, executedAt: m.executedAt });
    }
  }
  return out;
}

/** True when every known migration has run. */
export async function migrationsCurrent(db: Db, sources: readonly MigrationSource[]): Promise<boolean> {
  return (await migrationDrift(db, sources)).pending.length === 0;
}
