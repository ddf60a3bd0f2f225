import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
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

/** Brings every history up to date, in the order given (kernel first). */
export async function migrateToLatest(db: Db, sources: readonly MigrationSource[]): Promise<string[]> {
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

/** True when every known migration has run: what /readyz asks. */
export async function migrationsCurrent(db: Db, sources: readonly MigrationSource[]): Promise<boolean> {
  return (await migrationStatus(db, sources)).every((m) => m.executedAt !== undefined);
}
