import { describe, expect, it } from 'vitest';
import { checkMigrationNames, checkMigrationsWriteNoRows } from './checks/migrations.js';
import { listFiles, readSources, report } from './checks/tree.js';

describe('migration names', () => {
  it('are 0001_create-things.ts, numbered without gaps, in every migrations folder', () => {
    const paths = listFiles(['src']);
    expect(paths.filter((p) => p.includes('/migrations/')).length).toBeGreaterThan(0);
    const violations = checkMigrationNames(paths);
    expect(violations, report('Migration names broken', violations)).toEqual([]);
  });

  it('fails on a bad name, a gap and a repeat', () => {
    expect(checkMigrationNames([
      'src/modules/a/migrations/0001_create-things.ts',
      'src/modules/a/migrations/0003_add-owner.ts',
      'src/modules/b/migrations/0001_create-b.ts',
      'src/modules/b/migrations/0001_create-c.ts',
      'src/modules/c/migrations/1_Create_Things.ts',
      'src/modules/c/service.ts',
    ])).toEqual([
      'src/modules/a/migrations/0003_add-owner.ts: expected number 0002 here; migrations are numbered 0001, 0002, … without gaps or repeats',
      'src/modules/b/migrations/0001_create-c.ts: expected number 0002 here; migrations are numbered 0001, 0002, … without gaps or repeats',
      'src/modules/c/migrations/1_Create_Things.ts: a migration is named like 0001_create-things.ts (four digits, underscore, lowercase words joined by hyphens)',
    ]);
  });
});

describe('migrations', () => {
  it('make structure and write no rows, so a database migrated once can be copied for every test file', () => {
    const migrations = readSources(['src']).filter((f) => f.path.includes('/migrations/'));
    expect(migrations.length).toBeGreaterThan(0);
    const violations = checkMigrationsWriteNoRows(migrations);
    expect(violations, report('Migrations that write rows', violations)).toEqual([]);
  });

  it('finds an insert, in Kysely or in SQL, and leaves other files alone', () => {
    expect(checkMigrationsWriteNoRows([
      { path: 'src/modules/a/migrations/0001_create-a.ts', text: "await db.schema.createTable('a').execute();" },
      { path: 'src/modules/a/migrations/0002_add-kinds.ts', text: "await db.insertInto('kinds').values(rows).execute();" },
      { path: 'src/modules/b/migrations/0001_create-b.ts', text: 'await sql`INSERT INTO b (id) values (1)`.execute(db);' },
      { path: 'src/modules/b/service.ts', text: "await db.insertInto('b').values(row).execute();" },
    ])).toEqual([
      "src/modules/a/migrations/0002_add-kinds.ts: a migration writes rows (insertInto(); put data in a seed, migrations make structure only",
      'src/modules/b/migrations/0001_create-b.ts: a migration writes rows (INSERT INTO); put data in a seed, migrations make structure only',
    ]);
  });
});
