import { describe, expect, it } from 'vitest';
import { checkImportBoundaries } from './checks/imports.js';
import { readSources, report } from './checks/tree.js';

describe('import boundaries (ARCHITECTURE.md "Who may import what")', () => {
  it('holds in src/', () => {
    const violations = checkImportBoundaries(readSources(['src']));
    expect(violations, report('Import boundaries broken', violations)).toEqual([]);
  });

  it('fails on each kind of breach', () => {
    const file = (path: string, ...imports: string[]) => ({ path, text: imports.map((s, i) => `import x${i} from '${s}';`).join('\n') });
    const violations = checkImportBoundaries([
      file('src/kernel/audit/trail.ts', '../../modules/catalog/service.js', '../../ui/render.js'),
      file('src/ui/components/x.tsx', 'kysely', '../../kernel/db/index.js'),
      file('src/forms/engine.ts', '@electric-sql/pglite/vector'),
      file('src/modules/catalog/routes.ts', 'pg', './store.js', '../../kernel/db/index.js'),
      file('src/modules/catalog/pages.tsx', '../workflow/store.js'),
      file('src/modules/applications/service.ts', '../catalog/store.js', '../catalog/service.js', '../catalog/schemas.js'),
      { path: 'src/modules/applications/plugin.ts', text: "const m = await import('../catalog/internal/rules.js');" },
      file('src/modules/catalog/migrations/0002_add-x.ts', 'kysely', '../schemas.js', 'tongban/src/kernel/db/index.js'),
    ]);
    expect(violations).toEqual([
      "src/kernel/audit/trail.ts imports '../../modules/catalog/service.js': the kernel imports no module",
      "src/kernel/audit/trail.ts imports '../../ui/render.js': only the kernel's pages (.tsx) may use the UI",
      "src/ui/components/x.tsx imports 'kysely': forms and ui have no database",
      "src/ui/components/x.tsx imports '../../kernel/db/index.js': forms and ui have no database",
      "src/forms/engine.ts imports '@electric-sql/pglite/vector': forms and ui have no database",
      "src/modules/catalog/routes.ts imports 'pg': routes and pages never touch SQL: route → service → store",
      "src/modules/catalog/routes.ts imports './store.js': routes and pages call their service, never a store",
      "src/modules/catalog/routes.ts imports '../../kernel/db/index.js': routes and pages never touch SQL: route → service → store",
      "src/modules/catalog/pages.tsx imports '../workflow/store.js': routes and pages call their service, never a store",
      "src/modules/applications/service.ts imports '../catalog/store.js': another module is reached only through its service.ts (and types from its schemas.ts)",
      "src/modules/applications/plugin.ts imports '../catalog/internal/rules.js': another module is reached only through its service.ts (and types from its schemas.ts)",
      "src/modules/catalog/migrations/0002_add-x.ts imports '../schemas.js': migrations import nothing from src/ (they must not change when today's code does)",
      "src/modules/catalog/migrations/0002_add-x.ts imports 'tongban/src/kernel/db/index.js': migrations import nothing from src/ (not even through the package name)",
    ]);
  });

  it('lets tests and the module registry reach across', () => {
    expect(checkImportBoundaries([
      { path: 'src/modules/catalog/store.test.ts', text: "import '../workflow/store.js';" },
      { path: 'src/modules/index.ts', text: "import './catalog/plugin.js';" },
      { path: 'src/modules/catalog/store.ts', text: "import { sql } from 'kysely'; import type { Db } from '../../kernel/db/index.js';" },
    ])).toEqual([]);
  });
});
