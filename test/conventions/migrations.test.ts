import { describe, expect, it } from 'vitest';
import { checkMigrationNames } from './checks/migrations.js';
import { listFiles, report } from './checks/tree.js';

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
