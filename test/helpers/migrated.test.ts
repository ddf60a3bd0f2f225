import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationsCurrent } from '../../src/kernel/db/index.js';
import { migrationSources } from '../../src/modules/index.js';
import { createMigratedTestDatabase, testDatabaseKinds } from './databases.js';
import { migrationsKey } from './migrated.js';

describe('migrated test databases', () => {
  for (const kind of testDatabaseKinds) {
    it(`are copies with every migration run, each its own [${kind}]`, async () => {
      const first = await createMigratedTestDatabase(kind, migrationSources);
      const second = await createMigratedTestDatabase(kind, migrationSources);
      try {
        expect(await migrationsCurrent(first.database.db, migrationSources)).toBe(true);
        expect(await migrationsCurrent(second.database.db, migrationSources)).toBe(true);
        await sql`create table only_in_first (id int)`.execute(first.database.db);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'only_in_first'`.execute(second.database.db);
        expect(rows[0]?.n).toBe(0);
      } finally {
        await first.dispose();
        await second.dispose();
      }
    });
  }

  it('are keyed by the migrations\' text: a changed or added migration makes a new copy', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tb-migrations-'));
    const file = join(folder, '0001_create-things.ts');
    writeFileSync(file, 'export async function up() {}\n');
    const source = { name: 'things', folder };
    const before = migrationsKey([source]);
    expect(migrationsKey([source])).toBe(before);
    writeFileSync(file, 'export async function up() { /* changed */ }\n');
    const changed = migrationsKey([source]);
    expect(changed).not.toBe(before);
    writeFileSync(join(folder, '0002_add-owner.ts'), 'export async function up() {}\n');
    expect(migrationsKey([source])).not.toBe(changed);
    expect(migrationsKey([{ ...source, name: 'other' }])).not.toBe(migrationsKey([source]));
  });
});
