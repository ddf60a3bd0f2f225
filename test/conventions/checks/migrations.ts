import { posix } from 'node:path';

export const MIGRATION_NAME = /^\d{4}_[a-z0-9]+(-[a-z0-9]+)*\.ts$/;

/**
 * Migration files (repository paths): every file directly in a `migrations/` folder is named
 * `0001_create-things.ts`, and each folder counts 0001, 0002, … without gaps or repeats, since
 * the migrator runs them in name order and a gap usually means a lost or renamed file.
 */
export function checkMigrationNames(paths: readonly string[]): string[] {
  const folders = new Map<string, string[]>();
  for (const path of paths) {
    const folder = posix.dirname(path);
    if (posix.basename(folder) !== 'migrations') continue;
    folders.set(folder, [...(folders.get(folder) ?? []), posix.basename(path)]);
  }
  const violations: string[] = [];
  for (const [folder, names] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const good = names.filter((name) => MIGRATION_NAME.test(name)).sort();
    for (const name of names.filter((n) => !MIGRATION_NAME.test(n))) {
      violations.push(`${folder}/${name}: a migration is named like 0001_create-things.ts (four digits, underscore, lowercase words joined by hyphens)`);
    }
    good.forEach((name, index) => {
      const expected = String(index + 1).padStart(4, '0');
      if (!name.startsWith(`${expected}_`)) {
        violations.push(`${folder}/${name}: expected number ${expected} here; migrations are numbered 0001, 0002, … without gaps or repeats`);
      }
    });
  }
  return violations;
}

const WRITES_ROWS = /\binsertInto\s*\(|\binsert\s+into\b|\bcopy\s+\w+\s+from\b/i;

/**
 * Migrations make structure, never rows: tests copy a database migrated once, possibly in an
 * earlier run (test/helpers/migrated.ts), and a row a migration wrote (a timestamp, a generated
 * key) would then be that day's, not the test's. Reference data belongs in seeds.
 */
export function checkMigrationsWriteNoRows(files: readonly { path: string; text: string }[]): string[] {
  return files
    .filter((f) => posix.basename(posix.dirname(f.path)) === 'migrations' && WRITES_ROWS.test(f.text))
    .map((f) => `${f.path}: a migration writes rows (${WRITES_ROWS.exec(f.text)?.[0]}); put data in a seed, migrations make structure only`);
}
