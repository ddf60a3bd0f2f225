import { posix } from 'node:path';
import { importSpecifiers } from './ast.js';
import { isTest, type SourceFile } from './tree.js';

/** Packages that reach the database: only stores, the kernel's db folder and migrations use them. */
export const DATABASE_PACKAGES = new Set(['kysely', 'pg', '@electric-sql/pglite', 'pg-boss', 'kysely-pglite-dialect']);

/** What one import points at: a package name, or a repository path without its extension. */
export type ImportTarget = { kind: 'package'; name: string } | { kind: 'file'; path: string };

export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export function resolveImport(from: string, specifier: string): ImportTarget {
  if (!specifier.startsWith('.')) return { kind: 'package', name: packageName(specifier) };
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  return { kind: 'file', path: joined.replace(/\.(?:js|jsx|ts|tsx|mjs|mts)$/, '') };
}

const MODULE_PATH = /^src\/modules\/([^/]+)\/(.+)$/;

function moduleOf(path: string): { name: string; rest: string } | undefined {
  const match = MODULE_PATH.exec(path);
  return match ? { name: match[1]!, rest: match[2]! } : undefined;
}

/** routes.ts, pages.tsx and their split-out siblings (routes/*.ts, pages-admin.tsx). */
function isRouteOrPage(rest: string): boolean {
  return /^(?:routes|pages)(?:[./-]|$)/.test(rest);
}

function isStore(path: string): boolean {
  return /(?:^|\/)store(?:\/|$)/.test(path);
}

function isUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** Why `file` may not import `target`, or undefined when it may. */
function breach(file: string, target: ImportTarget): string | undefined {
  const dbPackage = target.kind === 'package' && DATABASE_PACKAGES.has(target.name);
  const path = target.kind === 'file' ? target.path : '';

  if (file.split('/').includes('migrations')) {
    if (target.kind === 'file' && isUnder(path, 'src')) return 'migrations import nothing from src/ (they must not change when today\'s code does)';
    if (target.kind === 'package' && target.name === 'tongban') return 'migrations import nothing from src/ (not even through the package name)';
    return undefined;
  }
  if (isUnder(file, 'src/kernel') && isUnder(path, 'src/modules')) return 'the kernel imports no module';
  // The kernel's own pages (the built-in sign-in) use the design system; its logic does not.
  if (isUnder(file, 'src/kernel') && isUnder(path, 'src/ui') && !file.endsWith('.tsx') && !file.endsWith('test-kit.ts')) {
    return 'only the kernel\'s pages (.tsx) may use the UI';
  }
  if (isUnder(file, 'src/forms') || isUnder(file, 'src/ui')) {
    if (dbPackage || isUnder(path, 'src/kernel/db')) return 'forms and ui have no database';
  }
  const own = moduleOf(file);
  if (!own) return undefined;
  if (isRouteOrPage(own.rest)) {
    if (dbPackage || isUnder(path, 'src/kernel/db')) return 'routes and pages never touch SQL: route → service → store';
    if (isUnder(path, 'src/modules') && isStore(path)) return 'routes and pages call their service, never a store';
  }
  const other = moduleOf(path);
  if (other && other.name !== own.name && other.rest !== 'service' && other.rest !== 'schemas') {
    return `another module is reached only through its service.ts (and types from its schemas.ts)`;
  }
  return undefined;
}

/** Import boundaries of ARCHITECTURE.md, for product code (tests may reach anywhere). */
export function checkImportBoundaries(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    if (isTest(file.path)) continue;
    for (const specifier of importSpecifiers(file)) {
      const why = breach(file.path, resolveImport(file.path, specifier));
      if (why) violations.push(`${file.path} imports '${specifier}': ${why}`);
    }
  }
  return violations;
}
